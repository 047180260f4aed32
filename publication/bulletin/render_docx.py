"""bulletin.docx (python-docx): the document the office sends upward, in the conventions of a
Chinese official 工作月报 (GB/T 9704 as far as the fonts allow).

A4 with the standard margins; red title in 小标宋 (黑体 where absent); body 三号 仿宋_GB2312 with
fixed 28 pt lines and a first-line indent of two characters; section titles in 黑体; page numbers
"— n —" in the footer; the distribution lines (报：… 送：…) between rules at the end. The body has
no note marks: where each figure and prose paragraph came from is listed in an appendix after a
page break (附件：数据与文字材料来源), with the quality notes and revisions. Charts stay in the
HTML and Markdown. Fonts name the official faces first; the font table gives each an installed
CJK fallback (Noto, `make fonts`), which LibreOffice and Word use when the official face is missing.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from publication.bulletin.document import Bulletin, Figure, NoteRef, Paragraph

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
ACTION_FONT = "楷体_GB2312"
FALLBACKS = {  # official face → installed alternatives (font table altName)
    BODY_FONT: "仿宋;FangSong;Noto Serif CJK SC",
    TITLE_FONT: "小标宋;Noto Serif CJK SC",
    HEADING_FONT: "SimHei;Noto Sans CJK SC",
    ACTION_FONT: "楷体;KaiTi;Noto Serif CJK SC",
}
RED = RGBColor(0xC0, 0x00, 0x00)
BODY_SIZE = 16  # 三号


def write_docx(bulletin: Bulletin, target: Path) -> None:
    document = Document()
    _font(document.styles["Normal"], BODY_FONT, BODY_SIZE)
    _document_defaults(document)
    _page(document)
    _centered(document, bulletin.title, TITLE_FONT, 22, color=RED)
    _centered(document, bulletin.subtitle, BODY_FONT, BODY_SIZE)
    _centered(document, bulletin.issuer, BODY_FONT, BODY_SIZE)
    for section in bulletin.sections:
        _heading(document, section.title)
        for paragraph in section.paragraphs:
            _paragraph(document, paragraph)
        if not section.paragraphs:
            _body(document).add_run(section.empty)
    _distribution(document, bulletin.distribution)
    if bulletin.colophon:
        _font(document.add_paragraph().add_run(bulletin.colophon), BODY_FONT, 12)
    _appendix(document, bulletin)
    _font_fallbacks(document)
    document.save(str(target))


def _document_defaults(document: Document) -> None:  # type: ignore[valid-type]
    """The template's default run fonts are theme fonts, which LibreOffice lets win over the Normal
    style's East Asian face: name the body face there too."""
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    fonts = defaults.find(qn("w:rFonts")) if defaults is not None else None
    if fonts is None:
        return
    for theme in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for script in ("w:ascii", "w:eastAsia", "w:hAnsi"):
        fonts.set(qn(script), BODY_FONT)


def _page(document: Document) -> None:  # type: ignore[valid-type]
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), "宋体", 14)
    _page_field(footer)
    _font(footer.add_run(" —"), "宋体", 14)


def _page_field(paragraph) -> None:  # noqa: ANN001
    """A PAGE field (the page number) as Word writes it: begin, instruction, separate, end."""
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        _font(run, "宋体", 14)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = " PAGE "
            run._r.append(instruction)
        else:
            run.text = text


def _body(document: Document, indent: bool = True):  # type: ignore[valid-type]  # noqa: ANN202
    block = document.add_paragraph()
    block.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    block.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    block.paragraph_format.line_spacing = Pt(28)
    block.paragraph_format.space_after = Pt(0)
    if indent:  # two characters: in character units for Word, in points for the rest
        block.paragraph_format.first_line_indent = Pt(2 * BODY_SIZE)
        block.paragraph_format.element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    return block


def _heading(document: Document, text: str) -> None:
    block = _body(document, indent=False)
    block.paragraph_format.space_before = Pt(12)
    _font(block.add_run(text), HEADING_FONT, BODY_SIZE)


def _paragraph(document: Document, paragraph: Paragraph) -> None:
    block = _body(document)
    if paragraph.heading:
        _font(block.add_run(paragraph.heading), ACTION_FONT, BODY_SIZE, bold=True)
    text = "".join(run.text if isinstance(run, Figure) else run
                   for run in paragraph.runs if not isinstance(run, NoteRef))
    if text:
        block.add_run(text)


def _distribution(document: Document, lines: list[str]) -> None:
    for index, line in enumerate(lines):
        block = _body(document, indent=False)
        if index == 0:
            block.paragraph_format.space_before = Pt(24)
        _border(block, top=index == 0, bottom=index == len(lines) - 1)
        _font(block.add_run(line), BODY_FONT, 14)


def _border(block, top: bool, bottom: bool) -> None:  # noqa: ANN001
    borders = OxmlElement("w:pBdr")
    for side, wanted in (("top", top), ("bottom", bottom)):
        if wanted:
            edge = OxmlElement(f"w:{side}")
            for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
                edge.set(qn(key), value)
            borders.append(edge)
    block.paragraph_format.element.get_or_add_pPr().append(borders)


def _appendix(document: Document, bulletin: Bulletin) -> None:
    """Where every figure and prose paragraph came from, by section and action, then the notes."""
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _heading(document, "附件：数据与文字材料来源")
    small = _SmallLines(document)
    for section in bulletin.sections:
        entries = [entry for paragraph in section.paragraphs for entry in _provenance(paragraph)]
        if entries:
            small.add(section.title, bold=True)
            for entry in entries:
                small.add(entry)
    for title, notes in (("修订说明", bulletin.revision_notes), ("数据质量提示", bulletin.gate_notes)):
        if notes.texts:
            small.add(title, bold=True)
            for number, text in enumerate(notes.texts, 1):
                small.add(f"{number}. {text}")


class _SmallLines:
    """The appendix's 10.5 pt lines. The first of each face is formatted with python-docx, the others
    are copies of its empty paragraph given their text: a province month has hundreds of lines, and
    setting spacing and fonts line by line was most of the DOCX time. Same XML as ``_small``."""

    def __init__(self, document: Document) -> None:  # type: ignore[valid-type]
        self.document = document
        self.templates: dict[bool, object] = {}

    def add(self, text: str, bold: bool = False) -> None:
        template = self.templates.get(bold)
        if template is None:
            block = _small(self.document, "", bold)
            self.templates[bold] = copy.deepcopy(block._p)
        else:
            empty = self.document.add_paragraph()
            block = DocxParagraph(copy.deepcopy(template), empty._parent)
            empty._p.getparent().replace(empty._p, block._p)
        if text:
            block.runs[0].text = text


def _provenance(paragraph: Paragraph) -> list[str]:
    action = f"▲{paragraph.action}" if paragraph.action else ""
    if paragraph.prose is not None:
        opening = "".join(run for run in paragraph.runs if isinstance(run, str))[:16]
        return [f"{action}　“{opening}……” —— {paragraph.prose.describe()}"]
    by_source: dict[str, list[str]] = {}
    for run in paragraph.runs:
        if isinstance(run, Figure) and run.source is not None:
            by_source.setdefault(run.source.describe(), []).append(run.text)
    return [f"{action}　{'、'.join(dict.fromkeys(figures))} —— {source}" for source, figures in by_source.items()]


def _small(document: Document, text: str, bold: bool = False) -> DocxParagraph:  # type: ignore[valid-type]
    block = document.add_paragraph()
    block.paragraph_format.space_after = Pt(2)
    _font(block.add_run(text), HEADING_FONT if bold else BODY_FONT, 10.5, bold=False)
    return block


def _centered(document: Document, text: str, family: str, size: int,  # type: ignore[valid-type]
              color: RGBColor | None = None) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(12)
    _font(paragraph.add_run(text), family, size, color=color)


def _font(run, family: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:  # noqa: ANN001
    """Font of a run or a style (both have ``.font`` and an ``rPr`` element)."""
    run.font.name = family
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), family)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _font_fallbacks(document: Document) -> None:  # type: ignore[valid-type]
    """Declare each official face in the font table with an installed alternative (w:altName)."""
    part = next((part for part in document.part.package.iter_parts()
                 if str(part.partname).endswith("fontTable.xml")), None)
    if part is None:
        return
    fonts = parse_xml(part.blob)
    known = {font.get(qn("w:name")) for font in fonts.findall(qn("w:font"))}
    for name, alternatives in FALLBACKS.items():
        if name in known:
            continue
        font = OxmlElement("w:font", {qn("w:name"): name})
        font.append(OxmlElement("w:altName", {qn("w:val"): alternatives.split(";")[-1]}))
        font.append(OxmlElement("w:charset", {qn("w:val"): "86"}))  # GB2312
        fonts.append(font)
    buffer = io.BytesIO()
    fonts.getroottree().write(buffer, xml_declaration=True, encoding="UTF-8", standalone=True)
    part._blob = buffer.getvalue()
