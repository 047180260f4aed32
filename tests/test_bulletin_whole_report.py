"""The bulletin is the whole report: the sample's prose under its section and action in HTML,
Markdown and DOCX, in the contract's order, the number-derived problems the prose does not state,
the distribution lines, the release colophon, provenance links; 【重要指标】 from patterns, so a
month with other figures reads that month's figures; a month without prose still publishes.

The prose comes from `fct_narrative` rows made from the sample's expected-narrative CSV in a copy of
the published sample warehouse (tests/narrative_fixture.py): no month is loaded again here.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest
from docx import Document

from publication.bulletin.compose import DISTRIBUTION_FILE, compose
from publication.bulletin.data import load
from publication.bulletin.similarity import markdown_sections, overall, seed_sections
from publication.bulletin.writer import write_bulletin
from tests.narrative_fixture import EXPECTED_NARRATIVE, add_narrative, narrative_rows

SECTION_OF = {"重点任务": "【重点任务】", "突出问题": "【突出问题】", "特色亮点": "【特色亮点】"}
DISTRIBUTION = ["报：市委书记，市政府市长、副市长，市政府秘书长、副秘书长", "送：市实施“八大行动”各工作专班、各县市区"]


def expected_paragraphs() -> list[dict[str, str]]:
    with EXPECTED_NARRATIVE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def warehouse_copy(published_home: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(published_home / "warehouse.duckdb", target / "warehouse.duckdb")
    return target / "warehouse.duckdb"


@pytest.fixture(scope="module")
def with_prose(published_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample month's bulletin rendered from a warehouse holding the sample's prose."""
    folder = tmp_path_factory.mktemp("prose")
    database = warehouse_copy(published_home, folder)
    add_narrative(database, narrative_rows())
    write_bulletin(database, "2024-10", folder / "publish")
    return folder / "publish"


def docx_text(path: Path) -> list[str]:
    return [paragraph.text for paragraph in Document(str(path)).paragraphs]


def html_text(path: Path) -> str:
    return re.sub(r"<sup[^>]*>.*?</sup>|<[^>]+>", "", path.read_text(encoding="utf-8"))


def test_every_expected_paragraph_is_under_its_section_and_action_in_every_format(with_prose: Path) -> None:
    markdown = markdown_sections((with_prose / "bulletin.md").read_text(encoding="utf-8"))
    html = html_text(with_prose / "bulletin.html")
    docx = "\n".join(docx_text(with_prose / "bulletin.docx"))
    for row in expected_paragraphs():
        text = squeeze(row["text"])
        assert text in markdown[SECTION_OF[row["section"]]][row["action"]], row
        assert squeeze(row["text"]) in squeeze(html) and squeeze(row["text"]) in squeeze(docx), row
    for rendered in (squeeze(html), squeeze(docx), squeeze((with_prose / "bulletin.md").read_text(encoding="utf-8"))):
        sections = [rendered.index(title) for title in ("【重要指标】", "【重点任务】", "【突出问题】", "【特色亮点】")]
        assert sections == sorted(sections)
        assert all(squeeze(line) in rendered for line in DISTRIBUTION)
        assert rendered.index(squeeze(DISTRIBUTION[0])) > sections[-1]


def test_distribution_lines_default_to_the_seeds_and_come_from_an_editable_file(with_prose: Path) -> None:
    assert DISTRIBUTION_FILE.read_text(encoding="utf-8").split() == [line for line in DISTRIBUTION]
    markdown = (with_prose / "bulletin.md").read_text(encoding="utf-8")
    assert markdown.rstrip().splitlines()[-1].startswith("[^")  # notes after the distribution lines
    assert all(line in markdown for line in DISTRIBUTION)


def test_paragraphs_of_an_action_follow_task_force_departments_then_counties(published_home: Path,
                                                                            tmp_path: Path) -> None:
    database = warehouse_copy(published_home, tmp_path)
    rows = narrative_rows()
    rows.append({**rows[-1], "section": "重点任务", "action": "安全守底行动", "action_order": 7,
                 "submitter": "武冈市", "submitter_kind": "county", "submitter_order": 1010, "seq": 1,
                 "text": "武冈市县级补充段落。", "source_paragraph": 9})
    add_narrative(database, list(reversed(rows)))  # the table's row order must not matter
    data = load(database, "2024-10")
    tasks = [paragraph for paragraph in compose(data, with_charts=False).section("【重点任务】").paragraphs
             if paragraph.action == "安全守底行动"]
    submitters = [paragraph.prose.submitter for paragraph in tasks if paragraph.prose]
    assert submitters == ["市应急管理局", "市财政局", "市财政局", "市生态环境局", "市公安局", "武冈市"]
    assert tasks[0].heading == "▲实施安全守底行动。" and all(paragraph.heading == "" for paragraph in tasks[1:])
    assert [paragraph.runs[0] for paragraph in tasks if paragraph.prose.submitter == "市财政局"][0].startswith(
        "防范化解地方债务风险方面，一是")


def test_number_derived_problems_follow_the_prose_without_what_it_already_states(with_prose: Path) -> None:
    problems = markdown_sections((with_prose / "bulletin.md").read_text(encoding="utf-8"))["【突出问题】"]
    # the 产业培塑 prose names 工业技改投资 and its four negative counties: stated once, by the prose
    assert problems["产业培塑行动"].count("邵阳县（-44.1%）") == 1
    assert "排片区第四（最末位）" not in problems["产业培塑行动"]
    # 激发需求: prose names 社零增速 and 城步县 (an alias of 城步苗族自治县): the county list is not repeated
    assert "社会消费品零售总额增速低于全市平均水平" not in problems["激发需求行动"]
    # a problem the prose does not state stays, after the prose
    livelihood = problems["民生可感行动"]
    assert livelihood.index("邵阳县和隆回县新增普惠性托位") < livelihood.index("化解超期安置户数939户")
    assert "规模工业增加值增速低于全市平均水平" in problems["区域共进行动"]
    assert problems["安全守底行动"].count("生产安全事故死亡人数") == 1


def test_highlights_carry_the_county_name(published_home: Path, tmp_path: Path) -> None:
    database = warehouse_copy(published_home, tmp_path)
    rows = narrative_rows()
    for row in rows:
        if row["submitter"] == "隆回县" and row["seq"] == 1:
            row["text"] = str(row["text"]).removeprefix("隆回县")
    add_narrative(database, rows)
    highlights = compose(load(database, "2024-10"), with_charts=False).section("【特色亮点】").paragraphs
    assert highlights[0].heading == "▲实施产业培塑行动。"
    assert str(highlights[0].runs[0]).startswith("隆回县以“四个一”帮代办")


def test_the_whole_report_reads_like_the_seed(with_prose: Path) -> None:
    bulletin = markdown_sections((with_prose / "bulletin.md").read_text(encoding="utf-8"))
    assert overall(bulletin, seed_sections()) > 0.9


def test_html_links_every_prose_paragraph_to_its_submitter_and_file(with_prose: Path) -> None:
    html = (with_prose / "bulletin.html").read_text(encoding="utf-8")
    prose = re.findall(r'<p class="prose" data-submitter="([^"]+)" data-source-file="([^"]+)">.*?'
                       r'<a href="#n(\d+)"', html)
    assert len(prose) == len(expected_paragraphs())
    notes = dict(re.findall(r'<li id="n(\d+)">([^<]+)</li>', html))
    for submitter, source_file, number in prose:
        assert notes[number].startswith(f"{submitter}：{source_file}，第")


def test_docx_has_official_conventions_and_provenance_in_an_appendix(with_prose: Path) -> None:
    document = Document(str(with_prose / "bulletin.docx"))
    body = [paragraph for paragraph in document.paragraphs if paragraph.text.startswith("▲实施")]
    assert all(paragraph.paragraph_format.first_line_indent is not None for paragraph in body)
    assert not [run for paragraph in document.paragraphs for run in paragraph.runs if run.font.superscript]
    texts = [paragraph.text for paragraph in document.paragraphs]
    appendix = texts[texts.index("附件：数据与文字材料来源"):]
    assert any("市发改委_投资类指标_2024年1-9月.csv，第2行" in line for line in appendix)
    assert any("隆回县：隆回县_2024年10月特色亮点.docx，第2段" in line for line in appendix)
    with zipfile.ZipFile(with_prose / "bulletin.docx") as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
        footer = "".join(archive.read(name).decode("utf-8") for name in archive.namelist() if "footer" in name)
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
    assert "仿宋_GB2312" in styles and "PAGE" in footer
    assert 'w:name="仿宋_GB2312"' in fonts and "Noto Serif CJK SC" in fonts


def test_release_approval_is_printed_in_the_colophon(published_home: Path, tmp_path: Path) -> None:
    database = warehouse_copy(published_home, tmp_path)
    with duckdb.connect(str(database)) as con:
        con.execute("create table pub_release_approvals (report_month varchar, approved_by varchar,"
                    " approved_at timestamptz, comment varchar)")
        con.execute("insert into pub_release_approvals values ('2024-10', '王主任', '2024-11-05 09:30:00+00', null)")
    write_bulletin(database, "2024-10", tmp_path / "publish")
    for name in ("bulletin.md", "bulletin.html"):
        assert "本期月报经王主任于2024年11月05日" in (tmp_path / "publish" / name).read_text(encoding="utf-8")
    assert any("王主任" in text for text in docx_text(tmp_path / "publish" / "bulletin.docx"))


def test_a_month_without_prose_publishes_and_says_so(published_home: Path, tmp_path: Path) -> None:
    database = warehouse_copy(published_home, tmp_path)
    add_narrative(database, [])  # nobody sent prose this month
    write_bulletin(database, "2024-10", tmp_path / "publish")
    markdown = (tmp_path / "publish" / "bulletin.md").read_text(encoding="utf-8")
    assert "## 【重点任务】\n\n本月未收到重点任务文字材料。" in markdown
    assert "## 【特色亮点】\n\n本月未收到特色亮点文字材料。" in markdown
    problems = markdown_sections(markdown)["【突出问题】"]
    assert "邵阳县（-44.1%）" in problems["产业培塑行动"]  # found in the numbers, with nobody's prose to defer to
    # figures the catalog files under 重点任务 are stated in 【重要指标】 when no prose states them
    assert "2029家" in markdown_sections(markdown)["【重要指标】"]["产业培塑行动"]
    assert all(line in markdown for line in DISTRIBUTION)


def test_the_published_sample_month_holds_the_prose_it_received(published_home: Path) -> None:
    """End to end: the sample inbox's narrative files, read by the intake, are the bulletin's prose."""
    publish = published_home / "publish" / "2024-10"
    markdown = markdown_sections((publish / "bulletin.md").read_text(encoding="utf-8"))
    html = squeeze(html_text(publish / "bulletin.html"))
    docx = squeeze("".join(docx_text(publish / "bulletin.docx")))
    for row in expected_paragraphs():
        assert squeeze(row["text"]) in markdown[SECTION_OF[row["section"]]][row["action"]], row
        assert squeeze(row["text"]) in html and squeeze(row["text"]) in docx, row
    assert overall(markdown, seed_sections()) > 0.9


def test_file_names_and_prose_are_escaped_in_the_html(published_home: Path, tmp_path: Path) -> None:
    database = warehouse_copy(published_home, tmp_path)
    rows = narrative_rows()[:1]
    rows[0] |= {"source_file": "<img src=x onerror=alert(1)>.docx", "text": "<script>alert(1)</script>装备制造"}
    add_narrative(database, rows)
    write_bulletin(database, "2024-10", tmp_path / "publish")
    html = (tmp_path / "publish" / "bulletin.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;装备制造" in html
    markdown = (tmp_path / "publish" / "bulletin.md").read_text(encoding="utf-8")
    assert "<script>" not in markdown and "<img src=x" not in markdown


def test_cli_rebuilds_the_whole_report_as_published(published_home: Path, tmp_path: Path, run_yuebao) -> None:
    home = tmp_path / "home"
    database = warehouse_copy(published_home, home)
    add_narrative(database, narrative_rows())
    completed = run_yuebao("bulletin", "--month", "2024-10", "--home", home)
    assert completed.returncode == 0, completed.stderr[-2000:]
    markdown = markdown_sections((home / "publish" / "2024-10" / "bulletin.md").read_text(encoding="utf-8"))
    assert squeeze(expected_paragraphs()[-1]["text"]) in markdown["【特色亮点】"]["民生可感行动"]
