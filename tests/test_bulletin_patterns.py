"""【重要指标】 is written from the office's sentence patterns (dbt seed sentence_patterns.csv):
October's patterns reproduce the seed's paragraphs; another month with other figures reads that
month's figures and none of October's; a pattern whose figure is missing gives way to the generic
sentence, never dropping the figure; rounding is half-up, as the dbt models round (the half-way yoy_pct cases are a dbt unit
test: models/marts/_facts__unit_tests.yml)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from publication.bulletin import formatting as fmt
from publication.bulletin.compose import compose
from publication.bulletin.data import load
from publication.bulletin.document import Figure, NoteRef, Notes
from publication.bulletin.patterns import pattern_clauses
from publication.bulletin.provenance import Annotator
from publication.bulletin.similarity import markdown_sections, ratios, seed_sections

# A month after October with every city figure changed: values × 1.07 + 1, growth + 1.1 points.
NOVEMBER = """
insert into rpt_indicator_report_month by name
select * replace (
    cast('2024-11-01' as date) as report_month,
    cast(period + interval 1 month as date) as period,
    round(value * 1.07 + 1, 2) as value,
    yoy_pct + 1.1 as yoy_pct,
    completion_pct * 1.07 + 1 as completion_pct,
    vs_province_pp + 0.2 as vs_province_pp
)
from rpt_indicator_report_month
where report_month = '2024-10-01'
"""


@pytest.fixture(scope="module")
def november(published_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("november") / "warehouse.duckdb"
    shutil.copyfile(published_home / "warehouse.duckdb", database)
    with duckdb.connect(str(database)) as con:
        con.execute(NOVEMBER)
    return database


def indicator_figures(database: Path, month: str) -> tuple[list[str], str]:
    """The figures the sentence patterns print in 【重要指标】, and the patterns' text, for ``month``
    (the generic sentences also cite earlier periods on purpose: "（1-9月46起）")."""
    data = load(database, month)
    annotate = Annotator(data.gate_failures, data.revisions, Notes(), Notes(), Notes())
    figures: list[str] = []
    text = ""
    for action in data.actions:
        city = data.report[(data.report["region_code"] == data.city_code) & (data.report["action"] == action)]
        runs, _ = pattern_clauses(data, action, city, annotate)
        figures += [run.text for run in runs if isinstance(run, Figure) and "从" not in run.text]
        text += "".join(run.text if isinstance(run, Figure) else run for run in runs if not isinstance(run, NoteRef))
    return figures, text


def test_octobers_patterns_read_like_the_seeds_paragraphs(published_home: Path) -> None:
    markdown = (published_home / "publish" / "2024-10" / "bulletin.md").read_text(encoding="utf-8")
    per_action = ratios(markdown_sections(markdown), seed_sections())["【重要指标】"]
    assert sum(per_action.values()) / len(per_action) >= 0.6, per_action


def test_another_month_reads_its_own_figures_and_none_of_octobers(published_home: Path, november: Path) -> None:
    october_figures, _ = indicator_figures(published_home / "warehouse.duckdb", "2024-10")
    november_figures, text = indicator_figures(november, "2024-11")
    assert "全市完成产业投资636.01亿元，增长6.8%" in text  # 593.47 × 1.07 + 1, 5.7 + 1.1
    # the history and the previous period's figures name last month's figures on purpose
    without_history = re.sub(r"增速从[^。]*。|（1-\d+月为[^）]*）", "", text)
    amounts = {figure for figure in october_figures if re.search(r"\d", figure) and not figure.isdigit()}  # not ranks
    stale = [figure for figure in amounts if re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d.])",
                                                                    without_history)]
    assert stale == []
    assert len(november_figures) >= len(october_figures) * 0.9


def test_a_pattern_with_a_missing_figure_gives_way_to_the_generic_sentence(published_home: Path,
                                                                           tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    shutil.copyfile(published_home / "warehouse.duckdb", database)
    with duckdb.connect(str(database)) as con:  # 30亿元以上制造业项目数 not sent this month
        con.execute("delete from rpt_indicator_report_month where indicator_code = 'mfg_projects_3b'")
    bulletin = compose(load(database, "2024-10"), with_charts=False)
    text = "".join(paragraph.text() for paragraph in bulletin.indicators)
    assert "实施亿元以上制造业项目" not in text
    assert "亿元以上制造业项目数182个" in text  # the figure is still stated, generically


def test_numbers_round_half_up_like_the_models() -> None:
    assert fmt.number(1.875, 2) == "1.88" and fmt.number(-1.875, 2) == "-1.88"
    assert fmt.number(2.675, 2) == "2.68"  # binary rounding gives 2.67
    assert fmt.percent(166.475) == "166.48%"
    assert fmt.number(593.47) == "593.47" and fmt.number(120.0) == "120" and fmt.number(-0.001, 2) == "0"

