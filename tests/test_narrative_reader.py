"""Reading narrative files (文字材料): the sample's 15 files give the expected 60 paragraphs, the same
prose laid out differently gives the same paragraphs in place, and bad files give findings with the
paragraph number and reason. Reader level only: no month load."""

from __future__ import annotations

import csv
import io
from datetime import date

import docx
import pytest

from ingestion.narrative import NarrativeCatalog, read_narrative
from ingestion.narrative.figures import figures_in
from ingestion.narrative.headings import action_heading, section_of
from ingestion.narrative.reader import is_narrative
from tests.conftest import ROOT, SAMPLE_INBOX

EXPECTED = ROOT / "samples" / "expected-narrative-2024-10.csv"
CATALOG = NarrativeCatalog.from_seeds(ROOT / "dbt_project" / "seeds")
Row = tuple[str, str, str, str]  # section, action, submitter, text


def expected_rows() -> list[dict[str, str]]:
    with EXPECTED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_all(files: dict[str, bytes]) -> tuple[list[Row], list]:
    rows: list[Row] = []
    findings = []
    for name, data in files.items():
        result = read_narrative(data, name, CATALOG)
        findings += result.findings
        rows += [(p.section, p.action, result.submitter.name, p.text) for p in result.paragraphs]
    return rows, findings


def sample_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((SAMPLE_INBOX / "2024-10").iterdir())
            if is_narrative(path.name)}


def in_place(rows: list[Row]) -> list[tuple[str, str, str]]:
    """Paragraphs in the bulletin's order, without who wrote them: section, action, text."""
    sections = ["重点任务", "突出问题", "特色亮点"]
    actions = [action.name for action in CATALOG.actions]
    order = {text: index for index, text in enumerate(row["text"] for row in expected_rows())}
    return sorted(((s, a, t) for s, a, _, t in rows),
                  key=lambda row: (sections.index(row[0]), actions.index(row[1]), order.get(row[2], 999)))


def test_the_sample_files_give_the_expected_paragraphs() -> None:
    rows, findings = read_all(sample_files())
    assert findings == []
    assert len(rows) == 60
    expected = [(row["section"], row["action"], row["submitter"], row["text"]) for row in expected_rows()]
    assert sorted(rows) == sorted(expected)


def test_paragraph_order_within_a_file_is_kept() -> None:
    result = read_narrative(SAMPLE_INBOX / "2024-10" / "创新提升行动工作专班_2024年10月工作进展.docx",
                            "创新提升行动工作专班_2024年10月工作进展.docx", CATALOG)
    firsts = [paragraph.text[:2] for paragraph in result.paragraphs if paragraph.section == "重点任务"]
    assert firsts == ["一是", "二是", "三是", "四是", "五是"]
    assert result.paragraphs[0].source_paragraph == 4  # Title, Heading 1, Heading 2, then the paragraph


# ------------------------------------------------------------------ the same prose, laid out differently

def _docx(paragraphs: list[tuple[str, str]]) -> bytes:
    """(kind, text): kind is title, h1, h2, bold, body, or lead:<bold words> (a bold run, then text)."""
    document = docx.Document()
    for kind, text in paragraphs:
        if kind == "title":
            document.add_paragraph(text, style="Title")
        elif kind in ("h1", "h2"):
            document.add_heading(text, level=int(kind[1]))
        elif kind == "bold":
            document.add_paragraph().add_run(text).bold = True
        elif kind.startswith("lead:"):
            paragraph = document.add_paragraph()
            paragraph.add_run(kind[5:]).bold = True
            paragraph.add_run(text)
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _texts(section: str, action: str, submitter: str | None = None) -> list[str]:
    return [row["text"] for row in expected_rows() if row["section"] == section and row["action"] == action
            and (submitter is None or row["submitter"] == submitter)]


def relaid_files() -> dict[str, bytes]:
    """Every sample paragraph again, in other files, names, headings and formats than the sample's."""
    files: dict[str, bytes] = {}
    actions = [action.name for action in CATALOG.actions]
    # 创新提升行动's prose sent by its lead department, as bold headings with the ▲ form
    innovation = "创新提升行动"
    files["市科技局_文字材料.docx"] = _docx([
        ("bold", "市科技局10月工作情况"), ("bold", "【重点任务】"), ("bold", "▲实施创新提升行动。"),
        *[("body", text) for text in _texts("重点任务", innovation)],
        ("bold", "【突出问题】"), ("body", "创新提升行动："), *[("body", text) for text in _texts("突出问题", innovation)],
    ])
    # the other task forces' prose in one Markdown file each, under a file name that names nobody
    for number, action in enumerate(actions, 1):
        task_force = CATALOG.actions[number - 1].task_force
        if action in (innovation, "安全守底行动"):
            continue
        lines = [f"# {task_force}十月份材料", ""]
        for section, heading in (("重点任务", "## 【重点任务】"), ("突出问题", "## 三、存在的主要问题")):
            texts = _texts(section, action)
            if texts:
                lines += [heading, "", f"**（{number}）{action}**", ""] + [line for text in texts for line in (text, "")]
        files[f"材料{number}.md"] = "\n".join(lines).encode()
    # 安全守底行动: its four departments' blocks sent by the task force in one GB18030 text file
    safety = "安全守底行动"
    lines = ["安全守底行动工作专班2024年10月", "一、重点任务进展情况", *_texts("重点任务", safety),
             "二、存在的突出问题", *_texts("突出问题", safety)]
    files["安全守底.txt"] = "\r\n".join(f"\u3000\u3000{line}" for line in lines).encode("gb18030")
    # the counties' 特色亮点: one docx with an action lead run, one text file with a （n） heading
    for region, action in (("隆回县", "产业培塑行动"), ("新邵县", "主体强身行动"), ("武冈市", "安全守底行动")):
        first, *rest = _texts("特色亮点", action, region)
        files[f"{region}.docx"] = _docx([("title", f"{region}特色亮点"), ("h1", "三、特色亮点"),
                                         (f"lead:{action}：", first), *[("body", text) for text in rest]])
    files["第4号.txt"] = "\n".join(["洞口县报送", "【特色亮点】", "（八）民生可感行动",
                                   *_texts("特色亮点", "民生可感行动", "洞口县")]).encode()
    return files


def test_the_same_prose_laid_out_differently_lands_in_the_same_places() -> None:
    relaid, findings = read_all(relaid_files())
    original, _ = read_all(sample_files())
    assert findings == []
    assert in_place(relaid) == in_place(original)
    submitters = {submitter for _, action, submitter, _ in relaid if action == "创新提升行动"}
    assert submitters == {"市科技局"}


# ------------------------------------------------------------------ headings

@pytest.mark.parametrize("text", ["【重点任务】", "一、重点任务进展情况", "重点任务", "1. 重点任务进展"])
def test_key_task_section_headings(text: str) -> None:
    assert section_of(text) == "重点任务"


@pytest.mark.parametrize("text", ["二、存在的突出问题", "【突出问题】", "三、存在问题", "【特色亮点】", "三、特色亮点"])
def test_other_section_headings(text: str) -> None:
    assert section_of(text) in ("突出问题", "特色亮点")


def test_prose_mentioning_a_section_word_is_no_heading() -> None:
    assert section_of("一是重点任务推进有力，完成了全年目标的80%以上。") is None
    assert section_of("亮点纷呈") is None


@pytest.mark.parametrize("text, rest", [
    ("▲实施创新提升行动。", ""), ("（二）创新提升行动", ""), ("创新提升行动", ""),
    ("创新提升行动：一是创新攻关赋能。", "一是创新攻关赋能。"), ("实施创新提升行动：正文", "正文"),
    ("▲实施创新提升行动。1-10月，全社会研发经费投入增长。", "1-10月，全社会研发经费投入增长。"),
])
def test_action_headings(text: str, rest: str) -> None:
    heading = action_heading(text, CATALOG)
    assert heading is not None and (heading.action, heading.rest) == ("创新提升行动", rest)


def test_a_colon_after_other_words_is_no_action_heading() -> None:
    assert action_heading("安全生产方面：持续落实三年行动。", CATALOG) is None
    assert action_heading("▲安全生产方面。持续落实三年行动。", CATALOG) is None


# ------------------------------------------------------------------ findings

def test_unknown_submitter_is_a_finding_on_the_title() -> None:
    data = "某某办公室十月材料\n【重点任务】\n正文。\n".encode()
    result = read_narrative(data, "材料.txt", CATALOG)
    assert result.submitter is None and result.paragraphs == []
    [finding] = result.findings
    assert (finding.rule, finding.severity, finding.source_row) == ("narrative_unknown_submitter", "blocking", 1)


def test_prose_outside_any_section_is_located_by_paragraph() -> None:
    data = "市财政局十月材料\n\n开头的一段说明。\n【重点任务】\n（七）安全守底行动\n正文。\n".encode()
    result = read_narrative(data, "x.txt", CATALOG)
    [finding] = result.findings
    assert (finding.rule, finding.source_row, finding.source_file) == ("narrative_outside_section", 3, "x.txt")
    assert [(p.section, p.action, p.source_paragraph) for p in result.paragraphs] == [("重点任务", "安全守底行动", 6)]


def test_an_unknown_section_is_a_warning_and_its_prose_is_left_out() -> None:
    data = "市公安局十月材料\n【重点任务】\n正文一。\n四、下一步工作打算\n计划。\n".encode()
    result = read_narrative(data, "x.txt", CATALOG)
    assert [(f.rule, f.severity, f.source_row) for f in result.findings] == [
        ("narrative_unknown_section", "warning", 4), ("narrative_outside_section", "blocking", 5)]
    assert [(p.section, p.action) for p in result.paragraphs] == [("重点任务", "安全守底行动")]


def test_a_department_of_several_actions_must_name_the_action() -> None:
    data = "市财政局十月材料\n【重点任务】\n正文。\n".encode()
    [finding] = read_narrative(data, "x.txt", CATALOG).findings
    assert (finding.rule, finding.source_row) == ("narrative_action_unknown", 3)


def test_a_county_must_name_the_action_of_its_highlight() -> None:
    data = "隆回县十月特色亮点\n【特色亮点】\n正文。\n".encode()
    [finding] = read_narrative(data, "x.txt", CATALOG).findings
    assert finding.rule == "narrative_action_unknown"


def test_a_department_leading_one_action_may_omit_the_heading() -> None:
    data = "市应急管理局十月材料\n【重点任务】\n安全生产方面，正文。\n".encode()
    result = read_narrative(data, "x.txt", CATALOG)
    assert result.findings == [] and result.paragraphs[0].action == "安全守底行动"


@pytest.mark.parametrize("name, data, rule", [
    ("市公安局.docx", b"not a zip at all", "extension_mismatch"),
    ("市公安局.docx", b"PK\x03\x04broken", "unreadable_file"),
    ("市公安局.docx", b"\xd0\xcf\x11\xe0legacy", "unsupported_file_type"),
    ("市公安局.txt", b"", "empty_file"),
    ("市公安局.txt", b"\xff\xfe\x00\x00\x81", "unreadable_file"),
])
def test_unreadable_files_are_findings_not_exceptions(name: str, data: bytes, rule: str) -> None:
    result = read_narrative(data, name, CATALOG)
    assert not result.readable
    assert [(f.rule, f.severity) for f in result.findings] == [(rule, "blocking")]
    assert result.submitter is not None and result.submitter.name == "市公安局"  # from the file name


def test_title_names_the_submitter_before_the_file_name() -> None:
    data = "市公安局2024年10月工作情况\n【重点任务】\n正文。\n".encode()
    assert read_narrative(data, "市财政局转来.txt", CATALOG).submitter.name == "市公安局"  # type: ignore[union-attr]


# ------------------------------------------------------------------ figures

OCTOBER = date(2024, 10, 1)


def test_a_figure_takes_the_lead_period_and_the_words_before_it() -> None:
    figures = figures_in(3, "1-9月，全市社零总额为1135.4亿元，同比增长5.8%。", OCTOBER)
    assert [(f.subject, f.value, f.unit_raw, f.period, f.period_form, f.decimals) for f in figures] == [
        ("全市社零总额", 1135.4, "亿元", date(2024, 9, 1), "ytd", 1),
        ("同比增长", 5.8, "%", date(2024, 9, 1), "ytd", 1)]


def test_a_clause_with_two_periods_is_ambiguous() -> None:
    [first, second, third] = figures_in(1, "提升率为-3.66%，比1-6月（-0.49%）回落3.17个百分点。", OCTOBER)
    assert first.period is None and second.period_ambiguous is False and second.period == date(2024, 6, 1)
    assert third.unit_raw == "个百分点"
    [month_value] = figures_in(1, "截至10月31日，累计发生50起；10月份共发生4起。", OCTOBER)[1:]
    assert (month_value.period_form, month_value.value) == ("month", 4)
