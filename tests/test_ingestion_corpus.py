"""The bad-input corpus: every broken or absurd file gives a precise issue, and nothing else is lost.

All cases sit in one inbox beside the sample month's 15 good files and are ingested once with
``ingest_month`` on an in-memory DuckDB. Text cases are checked in under ``tests/corpus/``; binary
ones are built by ``tests/corpus/make_corpus.py``; two are made here because they test the bounds
(with the bounds lowered, so the files stay small). A few representative cases then go through
``yuebao run`` to prove a bad inbox ends with an exit code and a one-line reason, never a traceback.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingestion import load, readers
from ingestion.issues import FILE_REJECTING_RULES
from ingestion.load import ingest_month
from tests.conftest import SAMPLE_INBOX
from tests.corpus.make_corpus import build_binary_cases, with_claimed_dimension
from yuebao.month_run import MonthRun

CORPUS = Path(__file__).parent / "corpus"
SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "departments.csv"
MONTH = "2024-10"
SAMPLE_FILES = sorted(path.name for path in (SAMPLE_INBOX / MONTH).iterdir())
SAMPLE_OBSERVATIONS = 187
LOWERED_FILE_BYTES = 1_000_000
LOWERED_ROWS = 5_000
GOOD_ROW = "市住建局,截至2024年10月31日,邵阳市,化解超期安置户数,939,户,,,,3200,\r\n"


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    rule: str
    row: int | None  # None: the whole file
    severity: str = "blocking"
    column: str | None = None


# Row numbers are as a person sees them: CSV header = row 1; in the corpus workbooks the title is
# row 1, the header row 2 and the extra (bad) row is row 6.
CASES = [
    Case("zero_bytes", "empty.csv", "empty_file", None),
    Case("thousands_garbled", "市住建局_bad_number.csv", "bad_number", 3, column="E"),
    Case("formula_in_csv_is_text", "市住建局_formula_text.csv", "bad_number", 3, column="E"),
    Case("plus_sign_text", "市住建局_plus_text.csv", "bad_number", 3, column="E"),
    Case("rank_in_words", "市住建局_bad_rank.csv", "bad_rank", 3, column="H"),
    Case("rank_zero", "市住建局_rank_zero.csv", "bad_rank", 3, column="H"),
    Case("subregion_rank_fraction", "市住建局_bad_subregion_rank.csv", "bad_rank", 3, column="I"),
    Case("month_13", "市住建局_bad_month.csv", "bad_period", 3, column="B"),
    Case("as_of_february_30", "市住建局_bad_as_of_day.csv", "bad_period", 3, column="B"),
    Case("value_empty", "市住建局_missing_value.csv", "missing_value", 3, column="E"),
    Case("region_empty", "市住建局_missing_region.csv", "missing_value", 3, column="C"),
    Case("period_empty", "市住建局_missing_period.csv", "missing_value", 3, column="B"),
    Case("unit_empty", "市住建局_missing_unit.csv", "missing_value", 3, column="F"),
    Case("yoy_in_words", "市住建局_bad_yoy.csv", "bad_number", 3, column="G"),
    Case("target_approximate", "市住建局_bad_target.csv", "bad_number", 3, column="J"),
    Case("no_unit_column", "市住建局_missing_unit_column.csv", "missing_required_column", 1),
    Case("header_only", "市住建局_header_only.csv", "no_data_rows", None, "warning"),
    Case("a_letter_not_a_table", "市住建局_no_table.csv", "unknown_layout", None),
    Case("csv_named_xlsx", "市住建局_csv_named.xlsx", "extension_mismatch", None),
    Case("txt_without_prose", "市住建局_notes.txt", "narrative_empty", None, "warning"),  # read as 文字材料
    Case("docx_that_is_text", "市公安局_not_a_docx.docx", "extension_mismatch", None),
    Case("macro_workbook", "市住建局_macro.xlsm", "unsupported_file_type", None),
    Case("corrupt_xlsx", "市统计局_corrupt.xlsx", "unreadable_file", None),
    Case("truncated_xlsx", "市统计局_truncated.xlsx", "unreadable_file", None),
    Case("legacy_xls_renamed", "市统计局_legacy_xls.xlsx", "unsupported_file_type", None),
    Case("zip_bomb", "市统计局_zip_bomb.xlsx", "file_too_large", None),
    Case("cell_at_row_300000", "市统计局_far_row.xlsx", "too_many_rows", None),
    Case("cell_at_column_xfd", "市统计局_far_column.xlsx", "too_many_rows", None),
    Case("formula_cached_value", "市统计局_formula.xlsx", "formula_cached_value", 6, "warning", "B"),
    Case("vba_part_in_xlsx", "市统计局_macros.xlsx", "macros_ignored", None, "warning"),
    Case("wide_column_without_unit", "市统计局_unlabelled.xlsx", "unlabelled_column", 2, "warning", "D"),
    Case("wide_bad_number", "市统计局_wide_bad_number.xlsx", "bad_number", 6, column="B"),
    Case("wide_region_empty", "市统计局_wide_missing_region.xlsx", "missing_value", 6, column="A"),
    Case("notes_sheets_only", "市统计局_notes_only.xlsx", "unknown_layout", None),
    Case("xlsx_without_region_column", "市统计局_long_missing_region.xlsx", "missing_required_column", 1),
    Case("xlsx_named_csv", "市统计局_xlsx_named.csv", "extension_mismatch", None),
    Case("neither_utf8_nor_gb18030", "市住建局_undecodable.csv", "unreadable_file", None),
    Case("nul_bytes_in_csv", "市住建局_nul_bytes.csv", "unreadable_file", None),
    Case("csv_field_too_long", "市住建局_huge_field.csv", "unreadable_file", None),
    Case("file_over_size_bound", "市住建局_too_large.csv", "file_too_large", None),
    Case("csv_over_row_bound", "市住建局_too_many_rows.csv", "too_many_rows", None),
]
FILE_RULES = FILE_REJECTING_RULES


def bound_cases() -> dict[str, bytes]:
    return {
        "市住建局_too_large.csv": b"x" * (LOWERED_FILE_BYTES + 1),
        "市住建局_too_many_rows.csv": ("报送单位,统计期,地区,指标名称,数值,单位,同比增长(%),全省排名,片区排名,年度目标,备注\r\n"
                                      + GOOD_ROW * (LOWERED_ROWS + 1)).encode(),
    }


def build_inbox(root: Path, cases: list[Case]) -> Path:
    """The sample month plus the named corpus files, in ``root/<MONTH>/``."""
    folder = root / MONTH
    shutil.copytree(SAMPLE_INBOX / MONTH, folder)
    generated = build_binary_cases() | bound_cases()
    for case in cases:
        target = folder / case.file
        if case.file in generated:
            target.write_bytes(generated[case.file])
        else:
            shutil.copyfile(CORPUS / case.file, target)
    return root


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    root = tmp_path_factory.mktemp("corpus")
    inbox = build_inbox(root / "inbox", CASES)
    con = duckdb.connect()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load, "MAX_FILE_BYTES", LOWERED_FILE_BYTES)
        patch.setattr(readers, "MAX_ROWS", LOWERED_ROWS)
        ingest_month(con, inbox, root / "home", MONTH, SEEDS)
    yield con
    con.close()


def test_the_corpus_is_large_and_every_file_is_distinct() -> None:
    assert len(CASES) >= 25
    assert len({case.file for case in CASES}) == len(CASES)
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gives_its_issue(landed: duckdb.DuckDBPyConnection, case: Case) -> None:
    issues = landed.execute(
        """select rule, severity, source_row, source_column, hint from landing.ingest_issues
           where source_file = ? and rule = ? and source_row is not distinct from ?""",
        [case.file, case.rule, case.row],
    ).fetchall()
    assert issues, landed.execute("select rule, source_row from landing.ingest_issues where source_file = ?",
                                  [case.file]).fetchall()
    rule, severity, _, column, hint = issues[0]
    assert severity == case.severity
    assert hint, f"rule {rule} has no hint for the department"
    if case.column:
        assert column == case.column


@pytest.mark.parametrize("case", [c for c in CASES if c.rule in FILE_RULES], ids=lambda c: c.id)
def test_a_bad_file_is_rejected_whole(landed: duckdb.DuckDBPyConnection, case: Case) -> None:
    status, rows = landed.execute(
        "select status, (select count(*) from landing.observations o where o.source_file = f.source_file) "
        "from landing.files f where source_file = ?", [case.file]).fetchone()
    assert (status, rows) == ("rejected", 0)


@pytest.mark.parametrize("case", [c for c in CASES if c.row and c.rule not in FILE_RULES and c.severity == "blocking"],
                         ids=lambda c: c.id)
def test_a_bad_row_is_quarantined_and_its_neighbours_load(landed: duckdb.DuckDBPyConnection, case: Case) -> None:
    statuses = landed.execute(
        "select source_row, row_status from landing.observations where source_file = ?", [case.file]).fetchall()
    assert (case.row, "quarantined") in statuses
    neighbours = {status for row, status in statuses if row != case.row}
    assert neighbours == {"ok"}


def test_the_good_files_beside_the_corpus_still_load(landed: duckdb.DuckDBPyConnection) -> None:
    loaded = landed.execute(
        "select source_file, status, rows_quarantined from landing.files where source_file in "
        f"({', '.join('?' * len(SAMPLE_FILES))}) order by source_file", SAMPLE_FILES).fetchall()
    assert loaded == [(name, "loaded", 0) for name in SAMPLE_FILES]
    observations = landed.execute(
        f"select count(*) from landing.observations where row_status = 'ok' and source_file in "
        f"({', '.join('?' * len(SAMPLE_FILES))})", SAMPLE_FILES).fetchone()[0]
    assert observations == SAMPLE_OBSERVATIONS
    sample_issues = landed.execute(
        f"select count(*) from landing.ingest_issues where source_file in ({', '.join('?' * len(SAMPLE_FILES))})",
        SAMPLE_FILES).fetchone()[0]
    assert sample_issues == 0


def test_a_formula_cell_gives_its_cached_value(landed: duckdb.DuckDBPyConnection) -> None:
    row = landed.execute("select value, row_status from landing.observations where source_file = ? "
                         "and source_row = 6 and indicator_raw = '社会消费品零售总额'",
                         ["市统计局_formula.xlsx"]).fetchone()
    assert row == (71.5, "ok")


def test_a_workbook_is_read_whatever_its_dimension_claims(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / MONTH
    inbox.mkdir(parents=True)
    (inbox / "市统计局_claims_a_million_rows.xlsx").write_bytes(with_claimed_dimension())
    with duckdb.connect() as con:
        summary = ingest_month(con, tmp_path / "inbox", tmp_path / "home", MONTH, SEEDS)
        assert (summary.files_rejected, summary.observations, summary.issues) == (0, 6, 0)


REPRESENTATIVE = ["zero_bytes", "corrupt_xlsx", "zip_bomb", "thousands_garbled", "csv_named_xlsx",
                  "formula_cached_value"]


def test_yuebao_run_on_a_bad_inbox_blocks_with_a_one_line_reason(run_yuebao, tmp_path: Path) -> None:
    cases = [case for case in CASES if case.id in REPRESENTATIVE]
    inbox = build_inbox(tmp_path / "inbox", cases)
    home = tmp_path / "home"
    completed = run_yuebao("run", "--month", MONTH, "--inbox", inbox, "--home", home)
    assert completed.returncode == 3, completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr
    last = completed.stderr.strip().splitlines()[-1]
    assert last.startswith("yuebao: quality gate blocked publication"), last
    assert not (home / "warehouse.duckdb").exists()
    build_db = MonthRun(MONTH, inbox, home).build_db  # the blocked month's build, never published
    with duckdb.connect(str(build_db), read_only=True) as con:
        rules = set(con.execute("select source_file, rule from landing.ingest_issues").fetchall())
    assert {(case.file, case.rule) for case in cases} <= rules


def test_a_file_name_is_data_never_a_path(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / MONTH
    inbox.mkdir(parents=True)
    name = "=HYPERLINK(\"x\") ..\\..\\市住建局 $(rm -rf ~);'.csv"
    (inbox / name).write_text("报送单位,统计期,地区,指标名称,数值,单位\r\n" + GOOD_ROW.replace(",,,,3200,", ""),
                              encoding="utf-8")
    (inbox / "escape.csv").symlink_to(CORPUS / "市住建局_bad_number.csv")  # a link could point anywhere
    home = tmp_path / "home"
    with duckdb.connect() as con:
        summary = ingest_month(con, tmp_path / "inbox", home, MONTH, SEEDS)
        files = con.execute("select source_file, archive_path, status from landing.files").fetchall()
    assert summary.observations == 1
    [(source_file, archive_path, status)] = files
    assert (source_file, status) == (name, "loaded")
    assert Path(archive_path).parts[0] == "raw" and Path(archive_path).stem.isalnum()
    stored = {p.relative_to(home).as_posix() for p in (home / "raw").rglob("*") if p.is_file()}
    assert stored - {"raw/.lock"} == {archive_path, "raw/manifest.jsonl"}  # the link was not followed
