"""Tier-1 checks at upload: one file against the catalog, with the monthly report's rules and wording.

Each rule category gives its finding at its sheet, row and column; the annotated workbook marks
the cell; and the findings for a file agree with what the monthly build's gate reports for it
(one month load, of an inbox holding only that file).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from expectations.gate import GateResult
from expectations.suites import all_suites
from expectations.tier1 import Finding, UploadCheck, check_upload
from publication.dq.annotate import annotate_xlsx
from publication.dq.model import problems_by_department
from tests.conftest import SAMPLE_INBOX
from yuebao import SEEDS_DIR

MONTH = "2024-10"
HOUSING = "市住建局"
HOUSING_FILE = SAMPLE_INBOX / MONTH / "市住建局_2024年10月.csv"
HEADER = "报送单位,统计期,地区,指标名称,数值,单位,同比增长(%),全省排名,片区排名,年度目标,备注"
GOOD = "市住建局,截至2024年10月31日,邵阳市,化解超期安置户数,939,户,,,,3200,"
# One row per rule category a single file can break; the comment is the rule and the row number.
BROKEN_ROWS = [
    "市住建局,截至2024年10月31日,火星市,化解超期安置户数,939,户,,,,,",  # unknown_region, row 2
    "市住建局,截至2024年10月31日,邵阳市,化解外星人户数,939,户,,,,,",  # unknown_indicator, row 3
    "市住建局,截至2024年10月31日,邵阳市,化解超期安置户数,939,桶,,,,,",  # unknown_unit, row 4
    "市住建局,截至2024年10月31日,邵阳县,化解超期安置户数,939,亿元,,,,,",  # unit_mismatch, row 5
    "市住建局,截至2024年10月31日,新邵县,化解超期安置户数,-5,户,,,,,",  # negative_value, row 6
    "市住建局,2025年3月,隆回县,化解超期安置户数,9,户,,,,,",  # period_in_future, row 7
    "市住建局,2020年1月,洞口县,化解超期安置户数,9,户,,,,,",  # period_too_old, row 8
    "市住建局,明年春天,绥宁县,化解超期安置户数,9,户,,,,,",  # bad_period, row 9
    "市住建局,截至2024年10月31日,邵阳市,化解超期安置户数,9,户,,20,,,",  # rank_out_of_range, row 10
    "市住建局,截至2024年10月31日,城步县,化解超期安置户数,,户,,,,,",  # missing_value, row 11
    "市住建局,截至2024年10月31日,邵东市,化解超期安置户数,9,户,,,,,",  # conflicting_values, row 12
    "市住建局,截至2024年10月31日,邵东市,化解超期安置户数,10,户,,,,,",  # conflicting_values, row 13
    "市住建局,截至2024年10月31日,新宁县,化解超期安置户数,9,户,,前列,,,",  # bad_rank, row 14
]
EXPECTED = {  # rule → (severity, row, column)
    "unknown_region": ("blocking", 2, "C"),
    "unknown_indicator": ("blocking", 3, "D"),
    "unknown_unit": ("blocking", 4, "F"),
    "unit_mismatch": ("blocking", 5, "F"),
    "negative_value": ("blocking", 6, "E"),
    "period_in_future": ("blocking", 7, "B"),
    "period_too_old": ("blocking", 8, "B"),
    "bad_period": ("blocking", 9, "B"),
    "rank_out_of_range": ("blocking", 10, "H"),
    "missing_value": ("blocking", 11, "E"),
    "conflicting_values": ("warning", 12, "E"),
    "bad_rank": ("blocking", 14, "H"),
}


def write(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def check(path: Path, unit: str = HOUSING) -> UploadCheck:
    return check_upload(path, path.name, unit, MONTH, SEEDS_DIR)


def by_rule(result: UploadCheck) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in result.findings:
        grouped.setdefault(finding.rule, []).append(finding)
    return grouped


@pytest.fixture(scope="module")
def pending_cell_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample 市住建局 file with its value changed to 待核实 (to be verified)."""
    path = tmp_path_factory.mktemp("upload") / HOUSING_FILE.name
    path.write_text(HOUSING_FILE.read_text(encoding="utf-8").replace(",939,", ",待核实,"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def broken_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("broken") / "市住建局_问题示例_2024年10月.csv", HEADER, *BROKEN_ROWS)


def test_the_sample_file_is_accepted_without_findings() -> None:
    result = check(HOUSING_FILE)
    assert result.status == "accepted"
    assert result.findings == []
    assert result.wrong_sender is None


def test_a_pending_cell_is_rejected_at_its_sheet_row_and_column(pending_cell_file: Path) -> None:
    result = check(pending_cell_file)
    assert result.status == "rejected"
    [finding] = result.findings
    assert (finding.severity, finding.rule, finding.sheet, finding.row, finding.column, finding.value) == \
        ("blocking", "bad_number", None, 2, "E", "待核实")
    assert "待核实" in finding.message and "阿拉伯数字" in finding.hint


def test_every_rule_category_of_one_file_gives_its_finding_at_its_cell(broken_file: Path) -> None:
    found = by_rule(check(broken_file))
    for rule, (severity, row, column) in EXPECTED.items():
        assert rule in found, f"no {rule} finding; got {sorted(found)}"
        assert (found[rule][0].severity, found[rule][0].row, found[rule][0].column) == (severity, row, column), rule


def test_the_catalog_decides_percentages(tmp_path: Path) -> None:
    path = write(tmp_path / "市科技局_2024年10月.csv", HEADER,
                 "市科技局,2023年,邵阳市,研发经费投入强度,180,%,,,,,")
    [finding] = check(path, "市科技局").findings
    assert (finding.rule, finding.row, finding.column, finding.value) == ("percentage_out_of_range", 2, "E", "180.0")


@pytest.mark.parametrize(("name", "content", "rule"), [
    ("市住建局_报表.xlsx", b"not a workbook", "extension_mismatch"),
    ("市住建局_报表.csv", b"", "empty_file"),
    ("市住建局_报表.xls", b"\xd0\xcf\x11\xe0 legacy", "unsupported_file_type"),
    ("市住建局_报表.csv", "报送单位,地区,指标名称,数值\n市住建局,邵阳市,化解超期安置户数,939\n".encode(),
     "missing_required_column"),
    ("市住建局_报表.csv", "随便写点什么\n没有表头\n".encode(), "unknown_layout"),
])
def test_a_file_that_cannot_be_read_is_rejected_with_the_reason(tmp_path: Path, name: str, content: bytes,
                                                                 rule: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = check(path)
    assert result.status == "rejected"
    assert rule in {finding.rule for finding in result.findings}


def test_a_gb18030_file_reads_like_utf8(tmp_path: Path) -> None:
    path = write(tmp_path / "市住建局_gbk.csv", HEADER, GOOD, encoding="gb18030")
    assert check(path).status == "accepted"


def test_a_formula_cell_is_a_warning_and_the_file_is_accepted(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "住建"
    for row in [HEADER.split(","), GOOD.split(",")]:
        sheet.append([cell or None for cell in row])
    sheet["J2"] = "=3000+200"
    path = tmp_path / "市住建局_公式.xlsx"
    book.save(path)
    result = check(path)
    assert result.status == "accepted_with_warnings"
    [finding] = result.findings
    assert (finding.rule, finding.sheet, finding.row, finding.column) == ("formula_cached_value", "住建", 2, "J")


def test_rows_naming_another_department_are_a_wrong_sender(tmp_path: Path) -> None:
    path = write(tmp_path / "报表.csv", HEADER, GOOD.replace("市住建局", "市商务局", 1))
    assert check(path).wrong_sender == "市商务局"
    assert check(path, "市商务局").wrong_sender is None


def test_an_indicator_another_department_owns_is_not_a_wrong_sender(tmp_path: Path) -> None:
    path = write(tmp_path / "报表.csv", HEADER, "市住建局,2024年1-10月,邵阳市,社会消费品零售总额,100,亿元,,,,,")
    assert check(path).wrong_sender is None


def test_a_wide_layout_finding_names_the_indicator_column(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["2024年1-9月各县市区主要经济指标"])
    sheet.append(["地区", "社会消费品零售总额(亿元)", "研发经费投入强度(%)"])
    sheet.append(["邵阳县", 100, 250])
    sheet.append(["火星县", 1, 1])
    path = tmp_path / "市统计局_宽表.xlsx"
    book.save(path)
    found = by_rule(check(path, "市统计局"))
    assert (found["percentage_out_of_range"][0].row, found["percentage_out_of_range"][0].column) == (3, "C")
    assert {(finding.row, finding.column) for finding in found["unknown_region"]} == {(4, "A")}


def test_a_narrative_file_is_accepted_and_its_figures_are_checked_at_the_monthly_build(tmp_path: Path) -> None:
    path = write(tmp_path / "市住建局_文字材料.md", "【重点任务】", "民生可感行动：化解超期安置939户。")
    result = check(path)
    assert result.status == "accepted"
    assert {finding.severity for finding in result.findings} == {"info"}
    assert {finding.rule for finding in result.findings} <= {"narrative_checked_at_build",
                                                             "narrative_figures_checked_at_build"}


def test_prose_outside_any_section_is_found_at_its_paragraph(tmp_path: Path) -> None:
    pytest.importorskip("ingestion.narrative")  # the narrative reader (issue 14)
    path = write(tmp_path / "市住建局_文字材料.md", "市住建局10月工作情况", "本月工作很多。", "【重点任务】",
                 "民生可感行动：化解超期安置939户。")
    result = check(path)
    assert result.status == "rejected"
    [finding] = [finding for finding in result.findings if finding.severity == "blocking"]
    assert (finding.rule, finding.row, finding.value) == ("narrative_outside_section", 2, "本月工作很多。")


def test_the_annotated_workbook_marks_the_bad_cell_with_the_message(pending_cell_file: Path) -> None:
    result = check(pending_cell_file)
    book = load_workbook(io.BytesIO(annotate_xlsx(pending_cell_file, pending_cell_file.name, result.findings)))
    data = book.worksheets[0]
    cell = data["E2"]
    assert cell.value == "待核实"
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "bad_number" in cell.comment.text and "阿拉伯数字" in cell.comment.text
    assert data["A2"].value == HOUSING and data["A2"].comment is None
    listing = book["问题清单"]
    assert [cell.value for cell in listing[2]][:4] == ["阻断", None, 2, "E"]


def test_the_annotated_workbook_keeps_formula_text_as_text(tmp_path: Path) -> None:
    path = write(tmp_path / "市住建局_注入.csv", HEADER, GOOD.replace(",市定民生实事", "") + "=HYPERLINK(\"x\")")
    result = check(path)
    sheet = load_workbook(io.BytesIO(annotate_xlsx(path, path.name, result.findings))).worksheets[0]
    cell = sheet["K2"]
    assert cell.data_type == "s" and cell.value.startswith("=")


def test_upload_findings_agree_with_the_monthly_report_for_the_same_file(broken_file: Path, run_yuebao,
                                                                        tmp_path_factory: pytest.TempPathFactory
                                                                        ) -> None:
    inbox = tmp_path_factory.mktemp("agree_inbox")
    (inbox / MONTH).mkdir()
    (inbox / MONTH / broken_file.name).write_bytes(broken_file.read_bytes())
    home = tmp_path_factory.mktemp("agree_home")
    completed = run_yuebao("run", "--month", MONTH, "--inbox", inbox, "--home", home)
    assert completed.returncode == 3, completed.stderr[-2000:]
    gate = GateResult.read(home / "build" / MONTH / "gate.json")
    tier1 = {suite.name for suite in all_suites() if suite.tier == 1}
    gate.failures = [failure for failure in gate.failures if failure.suite in tier1]
    reported = {(problem.severity, problem.rule, problem.source_sheet, problem.source_row, problem.value,
                 problem.message, problem.hint)
                for problem in problems_by_department(gate)[HOUSING] if problem.source_file == broken_file.name}
    uploaded = {(finding.severity, finding.rule, finding.sheet, finding.row, finding.value, finding.message,
                 finding.hint) for finding in check(broken_file).findings}
    assert uploaded == reported
    assert {rule for _, rule, *_ in reported} >= set(EXPECTED)


def test_the_upload_bench_records_p50_and_p95(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    out = tmp_path / "upload.json"
    completed = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_upload.py"), "--runs", "3", "--out", str(out)],
                               capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert 0 < result["p50_seconds"] <= result["p95_seconds"] and result["runs"] == 3
