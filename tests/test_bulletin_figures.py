"""The 2024-10 bulletin prints every figure of the sample's expected file, in the seed's formatting,
under its action (in 【重要指标】, or in the prose that states it); its problems section lists the
seed's problem counties, in the prose or found in the numbers."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from publication.bulletin.similarity import markdown_sections
from tests.conftest import EXPECTED_2024_10, ROOT

CITY, PROVINCE = "邵阳市", "湖南省"
CHINESE = "零一二三四五六七八九十"
UNIT_WORDS = {"%": "%", "百分点": "个百分点", "无量纲": ""}


def seed_number(text: str) -> str:
    """1135.4, 88, 2.25: as the seed prints numbers (no trailing zeros)."""
    value = round(float(text), 4)
    return f"{value:.4f}".rstrip("0").rstrip(".")


def catalog() -> dict[str, dict[str, str]]:
    with (ROOT / "dbt_project" / "seeds" / "indicators.csv").open(encoding="utf-8") as handle:
        return {row["indicator_name"]: row for row in csv.DictReader(handle)}


def expected_rows() -> list[dict[str, str]]:
    with EXPECTED_2024_10.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def paragraphs(markdown: str, section: str) -> dict[str, str]:
    """Action → its whole text (every paragraph, note marks removed) in a section."""
    return markdown_sections(markdown)[section]


def action_text(markdown: str, action: str) -> str:
    """Everything the bulletin says under ``action``, all sections."""
    return "".join(actions.get(action, "") for actions in markdown_sections(markdown).values())


def region_names() -> dict[str, set[str]]:
    """region_name → the names prose may use for it (short name, aliases)."""
    with (ROOT / "dbt_project" / "seeds" / "regions.csv").open(encoding="utf-8") as handle:
        return {row["region_name"]: {row["region_name"], row["short_name"], *filter(None, row["aliases"].split("|"))}
                for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def bulletin_md(published_home: Path) -> str:
    return (published_home / "publish" / "2024-10" / "bulletin.md").read_text(encoding="utf-8")


def latest_periods(rows: list[dict[str, str]]) -> dict[tuple[str, str], str]:
    latest: dict[tuple[str, str], str] = {}
    for row in rows:
        key = (row["region_name"], row["indicator_name"])
        latest[key] = max(latest.get(key, ""), row["period"])
    return latest


def expected_phrases(row: dict[str, str], direction: str) -> list[str | re.Pattern[str]]:
    """What the seed would print for this row: value, growth, ranks, completion."""
    phrases: list[str | re.Pattern[str]] = [seed_number(row["value"]) + UNIT_WORDS.get(row["unit"], row["unit"])]
    if row["yoy_pct"]:
        yoy = float(row["yoy_pct"])
        verb = "下降" if yoy < 0 else ("上升" if direction == "down" else "增长")
        phrases.append(f"{verb}{seed_number(str(abs(yoy)))}%")
    if row["rank_province"]:  # 居全省第5, 全省排名第5, 全省排第6名, 改善…排第3名, 总量居全省第四
        rank = int(row["rank_province"])
        phrases.append(re.compile(rf"(全省|改善[^；。]*?)(排名从|排名|排|居)?(第\d+和)?第({rank}|{CHINESE[rank] if rank <= 10 else rank})(?!\d)"))
    if row["rank_subregion"]:
        phrases.append(re.compile(rf"片区(第.和)?第{CHINESE[int(row['rank_subregion'])]}"))
    if row["completion_pct"]:
        phrases.append(re.compile(rf"(完成[^，；。]*的|完成率为|已完成){re.escape(seed_number(row['completion_pct']))}%"))
    return phrases


def test_every_city_figure_is_in_its_actions_paragraph(bulletin_md: str) -> None:
    names = catalog()
    missing = []
    for row in expected_rows():
        if row["region_name"] != CITY:
            continue
        meta = names[row["indicator_name"]]
        paragraph = action_text(bulletin_md, meta["action"])
        for phrase in expected_phrases(row, meta["direction"]):
            found = phrase.search(paragraph) if isinstance(phrase, re.Pattern) else phrase in paragraph
            if not found:
                missing.append(f"{row['indicator_name']} {row['period']}: {getattr(phrase, 'pattern', phrase)}")
    assert not missing, "\n".join(missing)


def test_province_figures_appear_as_the_citys_gap_to_the_province(bulletin_md: str) -> None:
    indicators = paragraphs(bulletin_md, "【重要指标】")
    rows = expected_rows()
    city = {(row["indicator_name"], row["period"]): float(row["value"]) for row in rows if row["region_name"] == CITY}
    for row in rows:
        if row["region_name"] != PROVINCE:
            continue
        gap = round(city[(row["indicator_name"], row["period"])] - float(row["value"]), 2)
        words = f"{'高于' if gap > 0 else '低于'}全省平均{seed_number(str(abs(gap)))}个百分点"
        assert words in indicators[catalog()[row["indicator_name"]]["action"]], (row, words)


def test_county_and_peer_figures_appear_in_the_problems_of_their_action(bulletin_md: str) -> None:
    problems = paragraphs(bulletin_md, "【突出问题】")
    names = region_names()
    for row in expected_rows():
        if row["region_name"] in (CITY, PROVINCE):
            continue
        paragraph = problems[catalog()[row["indicator_name"]]["action"]]
        number = seed_number(row["value"]) + UNIT_WORDS.get(row["unit"], row["unit"])
        if f"{row['region_name']}（{number}）" in paragraph or (row["region_name"] in paragraph and number in paragraph):
            continue
        # or the prose already states the problem, naming the region its own way (城步县, 怀化)
        assert any(name in paragraph for name in names[row["region_name"]]), (row, paragraph)


def test_problems_name_negative_technical_renovation_counties_worst_first(bulletin_md: str) -> None:
    problems = paragraphs(bulletin_md, "【突出问题】")["产业培塑行动"]
    sentence = next(part for part in re.split("[；。]", problems) if "负增长" in part and "工业技改投资" in part)
    assert "邵阳县（-44.1%）、大祥区（-24.5%）、邵东市（-9.9%）、隆回县（-6.6%）" in sentence


def test_problems_list_counties_below_the_city_retail_growth(bulletin_md: str) -> None:
    problems = paragraphs(bulletin_md, "【突出问题】")["激发需求行动"]
    counties = "双清区、北塔区、绥宁县、大祥区、{}、新邵县、新宁县"
    assert (counties.format("城步苗族自治县") + "社会消费品零售总额增速低于全市平均水平" in problems
            or counties.format("城步县") + "社零增速低于全市平均水平" in problems)  # the prose says it


def test_problems_flag_figures_behind_schedule_and_rising_accident_deaths(bulletin_md: str) -> None:
    problems = paragraphs(bulletin_md, "【突出问题】")
    assert "化解超期安置户数939户，完成率为29.34%" in problems["民生可感行动"]
    assert "未达序时进度" in problems["民生可感行动"]
    assert ("生产安全事故死亡人数56人，同比上升14.3%" in problems["安全守底行动"]
            or "生产安全事故死亡人数同比出现上升" in problems["安全守底行动"])  # the prose says it
    assert "生产安全事故起数" not in problems["安全守底行动"]  # it fell: not a problem
