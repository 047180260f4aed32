"""Narrative files in a monthly load: the sample month publishes its 60 paragraphs in fct_narrative
and no prose figure disagrees with the warehouse; a planted wrong figure gives exactly one warning
naming the submitter, both values and the export row; a month without prose still publishes and
the tracker says which task forces sent none."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import docx
import duckdb
import pytest

from expectations.gate import validate
from ingestion.load import ingest_month
from tests.conftest import ROOT, SAMPLE_INBOX, run_dbt

MONTH = "2024-10"
EXPECTED = ROOT / "samples" / "expected-narrative-2024-10.csv"
SEEDS = ROOT / "dbt_project" / "seeds" / "departments.csv"
REGION = "区域共进行动工作专班_2024年10月工作进展.docx"
SECTIONS = ["重点任务", "突出问题", "特色亮点"]


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_fct_narrative_holds_the_expected_paragraphs_in_the_bulletins_order(published_home: Path) -> None:
    rows = query(published_home / "warehouse.duckdb",
                 "select section, action, submitter, seq, text, action_order, submitter_order"
                 f" from fct_narrative where report_month = '{MONTH}'")
    ordered = sorted(rows, key=lambda row: (SECTIONS.index(row[0]), row[5], row[6], row[3]))
    with EXPECTED.open(encoding="utf-8") as handle:
        expected = [(row["section"], row["action"], row["submitter"], int(row["seq"]), row["text"])
                    for row in csv.DictReader(handle)]
    assert len(rows) == 60
    assert [row[:5] for row in ordered] == expected


def test_every_paragraph_keeps_its_file_and_paragraph_number(published_home: Path) -> None:
    [(files, missing)] = query(published_home / "warehouse.duckdb",
                               "select count(distinct source_file), count(*) filter (where source_paragraph is null"
                               " or source_sha256 is null or vintage_report_month <> report_month) from fct_narrative")
    assert (files, missing) == (15, 0)


def test_the_sample_prose_agrees_with_the_numbers(published_home: Path) -> None:
    database = published_home / "warehouse.duckdb"
    assert query(database, "select count(*) from fct_data_quality_issues"
                           " where rule = 'narrative_figure_mismatch'") == [(0,)]
    # …and the check did look: figures of the city with one period were compared
    [(compared,)] = query(database, "select count(*) from intermediate.int_narrative_figures_compared")
    assert compared >= 5


def test_every_submitter_has_its_report_and_the_summary_tracks_prose(published_home: Path) -> None:
    dq = published_home / "publish" / MONTH / "dq"
    for submitter in ("产业培塑行动工作专班", "市财政局", "隆回县", "洞口县"):
        assert (dq / f"{submitter}.html").is_file() and (dq / f"{submitter}.xlsx").is_file()
    summary = (dq / "index.html").read_text(encoding="utf-8")
    assert "文字材料" in summary and "安全守底行动工作专班" in summary


# ------------------------------------------------------------------ a planted disagreement

def _plant(source: Path, old: str, new: str) -> bytes:
    document = docx.Document(str(source))
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.text = run.text.replace(old, new)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def planted(published_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The published month again, with 接待国内旅游人数 written 4395.86 instead of 4395.76 万人 in
    区域共进行动工作专班's prose, resent (the published raw archive keeps the first version):
    re-ingested and the narrative marts rebuilt, as a load would."""
    root = tmp_path_factory.mktemp("planted")
    shutil.copytree(published_home / "raw", root / "home" / "raw")
    inbox = root / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    target = inbox / MONTH / REGION
    target.write_bytes(_plant(SAMPLE_INBOX / MONTH / REGION, "4395.76", "4395.86"))
    build = root / "build"
    build.mkdir()
    database = build / "warehouse.duckdb"
    shutil.copyfile(published_home / "warehouse.duckdb", database)
    with duckdb.connect(str(database)) as con:
        ingest_month(con, inbox, root / "home", MONTH, SEEDS)
    completed = run_dbt("run", "--select", "fct_narrative_vintages", "fct_narrative", "fct_data_quality_issues",
                        database=database, workdir=build / "dbt", month=MONTH)
    assert completed.returncode == 0, completed.stdout[-4000:]
    return database, build


def test_a_planted_figure_gives_exactly_one_warning(planted: tuple[Path, Path]) -> None:
    database, _ = planted
    rows = query(database, "select submitted_by, source_file, source_row, severity, raw_value, message"
                           " from fct_data_quality_issues where rule = 'narrative_figure_mismatch'")
    assert len(rows) == 1
    submitter, source_file, paragraph, severity, raw_value, message = rows[0]
    assert (submitter, source_file, paragraph, severity) == ("区域共进行动工作专班", REGION, 4, "warning")
    assert "4395.86万人" in raw_value and "4395.76" in raw_value
    assert "市文旅广体局_2024年10月.csv 第" in raw_value
    [(export_row,)] = query(database, "select source_row from fct_indicator_monthly where indicator_code ="
                                      " 'domestic_tourists' and region_code = '430500' and period = date '2024-09-01'")
    assert f"第{export_row}行" in message and "接待国内旅游人数" in message


def test_a_resent_file_replaces_its_submitters_prose_and_the_first_version_stays(planted: tuple[Path, Path]) -> None:
    database, _ = planted
    current = query(database, "select text from fct_narrative where submitter = '区域共进行动工作专班' and seq = 2")
    assert len(current) == 1 and "4395.86万人" in current[0][0]
    assert query(database, f"select count(*) from fct_narrative where report_month = '{MONTH}'") == [(60,)]
    versions = query(database, "select is_current, count(*) from fct_narrative_vintages"
                               " where submitter = '区域共进行动工作专班' group by is_current order by is_current")
    assert versions == [(False, 3), (True, 3)]


def test_the_gate_reports_the_planted_figure_to_its_submitter_without_blocking(planted: tuple[Path, Path]) -> None:
    database, build = planted
    gate = validate(database, build, MONTH)
    assert not gate.blocked
    located = [row for failure in gate.failures for row in failure.rows
               if row.get("rule") == "narrative_figure_mismatch"]
    assert [(row["submitted_by"], row["source_row"]) for row in located] == [("区域共进行动工作专班", 4)]


# ------------------------------------------------------------------ a month without prose

@pytest.fixture(scope="module")
def prose_free_home(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> Path:
    inbox = tmp_path_factory.mktemp("numbers_only")
    (inbox / MONTH).mkdir()
    shutil.copyfile(SAMPLE_INBOX / MONTH / "市住建局_2024年10月.csv", inbox / MONTH / "市住建局_2024年10月.csv")
    home = tmp_path_factory.mktemp("home_numbers_only")
    completed = run_yuebao("run", "--month", MONTH, "--inbox", inbox, "--home", home)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return home


@pytest.mark.slow
def test_a_month_without_prose_publishes_and_task_forces_are_owing(prose_free_home: Path) -> None:
    database = prose_free_home / "warehouse.duckdb"
    assert query(database, "select count(*) from fct_narrative") == [(0,)]
    owing = query(database, "select department from dq_delivery_status where narrative_status = 'missing'"
                            " order by department")
    assert len(owing) == 8 and all(name.endswith("工作专班") for (name,) in owing)
    summary = (prose_free_home / "publish" / MONTH / "dq" / "index.html").read_text(encoding="utf-8")
    assert "未报送" in summary
