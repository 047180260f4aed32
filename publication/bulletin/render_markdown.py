"""bulletin.md: the same paragraphs, notes as Markdown footnotes, charts as files beside it."""

from __future__ import annotations

from publication.bulletin.document import Bulletin, Figure, NoteRef, Paragraph
from publication.escaping import markdown_text

NOTE_PREFIX = {"source": "s", "gate": "q", "revision": "r"}


def render_markdown(bulletin: Bulletin) -> str:
    lines = [f"# {bulletin.title}", "", f"**{bulletin.subtitle}**", "", "## 【重要指标】", ""]
    for paragraph in bulletin.indicators:
        lines += [_paragraph(paragraph), ""]
        action = paragraph.heading.removeprefix("▲实施").removesuffix("。")
        for chart in bulletin.charts.get(action, []):
            lines += [f"![{chart.title}]({chart.filename})", ""]
    lines += ["## 【突出问题】", ""]
    lines += [line for paragraph in bulletin.problems for line in (_paragraph(paragraph), "")]
    if not bulletin.problems:
        lines += ["本月未发现突出问题。", ""]
    for title, kind, notes in (("修订说明", "revision", bulletin.revision_notes),
                               ("数据质量提示", "gate", bulletin.gate_notes),
                               ("数据来源", "source", bulletin.sources)):
        if notes.texts:
            lines += [f"## {title}", ""]
            lines += [f"[^{NOTE_PREFIX[kind]}{number}]: {markdown_text(text)}"  # notes carry file names
                      for number, text in enumerate(notes.texts, 1)]
            lines.append("")
    return "\n".join(lines)


def _paragraph(paragraph: Paragraph) -> str:
    parts = [paragraph.heading]
    for run in paragraph.runs:
        if isinstance(run, NoteRef):
            parts.append(f"[^{NOTE_PREFIX[run.kind]}{run.key}]")
        elif isinstance(run, Figure):
            parts.append(run.text)
        else:
            parts.append(run)
    return "".join(parts)
