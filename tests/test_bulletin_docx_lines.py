"""The DOCX appendix's lines copied from a formatted first line (render_docx._SmallLines) are the XML
python-docx writes when each line is formatted on its own (render_docx._small)."""

from __future__ import annotations

from docx import Document
from lxml import etree

from publication.bulletin.render_docx import _small, _SmallLines

LINES = [("【重要指标】", True), ("▲产业培塑行动　172.1亿元、增长9.3% —— 市发改委：市发改委_2024年1月.csv，第7行", False),
         ("", False), ("tab\tand\nbreak", False), (" leading space ", False), ("数据质量提示", True),
         ("1. 质量提示（observations·value）：…", False)]


def test_copied_lines_are_the_xml_of_lines_formatted_one_by_one() -> None:
    formatted, copied = Document(), Document()
    lines = _SmallLines(copied)
    for text, bold in LINES:
        _small(formatted, text, bold)
        lines.add(text, bold)
    assert etree.tostring(copied.element.body, encoding="unicode") == etree.tostring(
        formatted.element.body, encoding="unicode")
    assert [paragraph.text for paragraph in copied.paragraphs] == [text for text, _ in LINES]
