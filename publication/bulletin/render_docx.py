"""bulletin.docx (python-docx): the same paragraphs and charts; notes as bracketed numbers and lists."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from publication.bulletin.document import Bulletin, Figure, NoteRef, Paragraph

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
NOTE_MARK = {"source": "", "gate": "※", "revision": "修"}
RED = RGBColor(0xC0, 0x00, 0x00)


def write_docx(bulletin: Bulletin, target: Path) -> None:
    document = Document()
    # the body font on the Normal style once; runs only override where they differ
    _font(document.styles["Normal"], BODY_FONT, 16)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.8)
    _centered(document, bulletin.title, HEADING_FONT, 22, bold=True, color=RED)
    _centered(document, bulletin.subtitle, BODY_FONT, 16)
    _heading(document, "【重要指标】")
    for paragraph in bulletin.indicators:
        _paragraph(document, paragraph)
        action = paragraph.heading.removeprefix("▲实施").removesuffix("。")
        for chart in bulletin.charts.get(action, []):
            document.add_picture(io.BytesIO(chart.png), width=Cm(15))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _centered(document, chart.title, BODY_FONT, 10)
    _heading(document, "【突出问题】")
    for paragraph in bulletin.problems:
        _paragraph(document, paragraph)
    for title_text, kind, notes in (("修订说明", "revision", bulletin.revision_notes),
                                    ("数据质量提示", "gate", bulletin.gate_notes),
                                    ("数据来源", "source", bulletin.sources)):
        if notes.texts:
            _heading(document, title_text, size=12)
            for number, text in enumerate(notes.texts, 1):
                _font(document.add_paragraph().add_run(f"[{NOTE_MARK[kind]}{number}] {text}"), BODY_FONT, 9)
    document.save(str(target))


def _heading(document: Document, text: str, size: int = 16) -> None:
    _font(document.add_paragraph().add_run(text), HEADING_FONT, size, bold=True)


def _paragraph(document: Document, paragraph: Paragraph) -> None:
    block = document.add_paragraph()
    block.paragraph_format.first_line_indent = Pt(32)
    block.paragraph_format.line_spacing = 1.5
    _font(block.add_run(paragraph.heading), HEADING_FONT, 16)
    text: list[str] = []  # adjacent text and figures become one run in the Normal style
    for run in paragraph.runs:
        if isinstance(run, NoteRef):
            if text:
                block.add_run("".join(text))
            text = []
            marker = block.add_run(f"[{NOTE_MARK[run.kind]}{run.key}]")
            marker.font.superscript = True
            marker.font.size = Pt(9)
        else:
            text.append(run.text if isinstance(run, Figure) else run)
    if text:
        block.add_run("".join(text))


def _centered(document: Document, text: str, family: str, size: int, bold: bool = False,  # type: ignore[valid-type]
              color: RGBColor | None = None) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), family, size, bold=bold, color=color)


def _font(run, family: str, size: int, bold: bool = False, color: RGBColor | None = None) -> None:  # noqa: ANN001
    """Font of a run or a style (both have ``.font`` and an ``rPr`` element)."""
    run.font.name = family
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), family)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
