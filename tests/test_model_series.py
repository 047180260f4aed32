"""Fourteen report months loaded one by one (`yuebao backfill`: each month through the same DAG as
`yuebao run`, many months per process) give the facts pandas computes.

A seeded generator writes one long-layout CSV per report month (2023-09 … 2024-10) for 邵阳市 and
its 12 counties: three year-to-date indicators (two with annual targets, one lower-is-better), a
stock, and a rate. It also leaves a gap (双清区 sends no 工业技改投资 in 2024-04) and revises a
period (2024-03 resends 双清区's 2024-02 社零 higher). After the fourteenth, mostly incremental,
build, fct_indicator_monthly must equal an independent pandas computation of value_month,
yoy_pct, completion_pct and schedule_pct over the latest vintage of every value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from yuebao import SEEDS_DIR

HEADER = "报送单位,统计期,地区,指标名称,数值,单位,同比增长(%),全省排名,片区排名,年度目标,备注\n"
REPORT_MONTHS = [pd.Period("2023-09", "M") + offset for offset in range(14)]
GAP = ("tech_reno_investment", "双清区", pd.Period("2024-04", "M"))
REVISION = ("retail_sales", "双清区", pd.Period("2024-02", "M"), pd.Period("2024-03", "M"), 0.5)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    basis: str
    has_target: bool = False


INDICATORS = [
    Indicator("tech_reno_investment", "工业技改投资", "亿元", "ytd", has_target=True),
    Indicator("industry_investment", "产业投资", "亿元", "ytd", has_target=True),
    Indicator("retail_sales", "社会消费品零售总额", "亿元", "ytd"),
    Indicator("accidents", "生产安全事故起数", "起", "ytd"),
    Indicator("mfg_projects_100m", "亿元以上制造业项目数", "个", "stock"),
    Indicator("retail_sales_growth", "社会消费品零售总额增速", "%", "rate"),
]


def city_and_counties() -> pd.DataFrame:
    regions = pd.read_csv(SEEDS_DIR / "regions.csv", dtype=str)
    return regions[(regions.region_code == "430500") | (regions.parent_code == "430500")]


def generate_values(seed: int = 20241105) -> pd.DataFrame:
    """True values per indicator × region × period: YTD from positive monthly amounts."""
    rng = random.Random(seed)
    rows = []
    periods = REPORT_MONTHS
    for indicator in INDICATORS:
        for region in city_and_counties().itertuples():
            ytd = stock = 0.0
            for period in periods:
                if indicator.basis == "ytd":
                    ytd = (0.0 if period.month == 1 else ytd) + round(rng.uniform(1, 20), 2)
                    value = round(ytd, 2)
                elif indicator.basis == "stock":
                    stock = stock + rng.randint(0, 5) if stock else rng.randint(20, 60)
                    value = float(stock)
                else:
                    value = round(rng.uniform(2, 9), 1)
                target = round(rng.uniform(150, 200), 2) if indicator.has_target else None
                rows.append({"indicator_code": indicator.code, "region_code": region.region_code,
                             "region_name": region.region_name, "period": period, "value": value,
                             "annual_target": target})
    values = pd.DataFrame(rows)
    # One target per indicator, region and year.
    values["annual_target"] = values.groupby(
        ["indicator_code", "region_code", values.period.map(lambda p: p.year)])["annual_target"].transform("first")
    return values


def sent_rows(values: pd.DataFrame) -> pd.DataFrame:
    """What the files carry: each report month its own period, minus the gap, plus the revision."""
    sent = values.assign(report_month=values.period)
    code, region, period = GAP
    sent = sent[~((sent.indicator_code == code) & (sent.region_name == region) & (sent.period == period))]
    code, region, period, report_month, delta = REVISION
    revised = values[(values.indicator_code == code) & (values.region_name == region) & (values.period == period)]
    revised = revised.assign(value=revised.value + delta, report_month=report_month)
    return pd.concat([sent, revised], ignore_index=True)


def write_inbox(sent: pd.DataFrame, inbox: Path) -> None:
    names = {indicator.code: indicator for indicator in INDICATORS}
    for report_month, rows in sent.groupby("report_month"):
        folder = inbox / str(report_month)
        folder.mkdir(parents=True)
        lines = []
        for row in rows.itertuples():
            indicator = names[row.indicator_code]
            target = "" if pd.isna(row.annual_target) else f"{row.annual_target:g}"
            lines.append(f"市统计局,{row.period.year}年{row.period.month}月,{row.region_name},{indicator.name},"
                         f"{row.value:g},{indicator.unit},,,,{target},")
        name = f"市统计局_主要指标_{report_month.year}年{report_month.month}月.csv"
        (folder / name).write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")


def expected_facts(sent: pd.DataFrame) -> pd.DataFrame:
    """The derived measures computed independently, over the latest vintage of each value."""
    latest = (sent.sort_values("report_month")
              .drop_duplicates(["indicator_code", "region_code", "period"], keep="last")
              .set_index(["indicator_code", "region_code", "period"]))
    basis = {indicator.code: indicator.basis for indicator in INDICATORS}
    facts = []
    for (code, region, period), row in latest.iterrows():
        previous_month = latest.value.get((code, region, period - 1))
        previous_year = latest.value.get((code, region, period - 12))
        value_month = None
        if basis[code] == "ytd":
            value_month = row.value if period.month == 1 else (
                None if previous_month is None else row.value - previous_month)
        yoy = None
        if basis[code] in ("ytd", "stock") and previous_year:
            yoy = round((row.value / previous_year - 1) * 100, 2)
        target = row.annual_target
        facts.append({
            "indicator_code": code, "region_code": region, "period": period.to_timestamp().date(),
            "value": row.value, "value_month": value_month, "yoy_pct": yoy,
            "completion_pct": None if pd.isna(target) else row.value / target * 100,
            "schedule_pct": round(period.month / 12 * 100, 2),
        })
    return pd.DataFrame(facts)


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> tuple[Path, pd.DataFrame]:
    sent = sent_rows(generate_values())
    inbox = tmp_path_factory.mktemp("series_inbox")
    home = tmp_path_factory.mktemp("series_home")
    write_inbox(sent, inbox)
    completed = run_yuebao("backfill", "--from", str(REPORT_MONTHS[0]), "--to", str(REPORT_MONTHS[-1]),
                           "--inbox", inbox, "--home", home, "--no-progress")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert f"({len(REPORT_MONTHS)} loaded," in completed.stdout, completed.stdout
    return home, sent


def warehouse_facts(home: Path) -> pd.DataFrame:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("""
            select indicator_code, region_code, period, value, value_month, yoy_pct, completion_pct,
                   schedule_pct, is_value_month_missing
            from fct_indicator_monthly""").df()


@pytest.mark.slow
def test_fourteen_months_of_facts_equal_the_independent_computation(series) -> None:
    home, sent = series
    actual = warehouse_facts(home)
    expected = expected_facts(sent)
    key = ["indicator_code", "region_code", "period"]
    actual["period"] = pd.to_datetime(actual.period).dt.date
    merged = expected.merge(actual, on=key, how="outer", suffixes=("_expected", "_actual"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][key + ["_merge"]]
    assert len(merged) == 13 * len(INDICATORS) * 14 - 1
    # yoy_pct is rounded to 2 decimals on both sides: a half-cent may round either way.
    tolerance = {"value": 1e-6, "value_month": 1e-6, "yoy_pct": 0.0101, "completion_pct": 1e-6, "schedule_pct": 1e-6}
    for measure, atol in tolerance.items():
        pd.testing.assert_series_equal(
            merged[f"{measure}_actual"].astype("float64"), merged[f"{measure}_expected"].astype("float64"),
            check_names=False, atol=atol, rtol=0, obj=measure)


@pytest.mark.slow
def test_the_gap_and_the_revision_are_handled(series) -> None:
    home, _ = series
    facts = warehouse_facts(home)
    shuangqing = facts[facts.region_code == "430502"]
    after_gap = shuangqing[(shuangqing.indicator_code == GAP[0])
                           & (pd.to_datetime(shuangqing.period) == pd.Timestamp("2024-05-01"))]
    assert after_gap.is_value_month_missing.tolist() == [True]
    assert after_gap.value_month.isna().tolist() == [True]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        revisions = con.execute("""
            select indicator_code, region_code, period, report_month, difference from fct_revisions""").fetchall()
    assert len(revisions) == 1
    code, region, period, report_month, difference = revisions[0]
    assert (code, region, str(period), str(report_month)) == ("retail_sales", "430502", "2024-02-01", "2024-03-01")
    assert difference == pytest.approx(REVISION[4])
