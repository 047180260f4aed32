"""bulletin.md: the four sections, notes as Markdown footnotes, charts as files beside it; text
that came from files (prose, file names in notes) escaped (publication.escaping)."""

from __future__ import annotations

from publication.bulletin.document import Bulletin, Figure, NoteRef, Paragraph
from publication.escaping import markdown_text

NOTE_PREFIX = {"source": "s", "gate": "q", "revision": "r"}


def render_markdown(bulletin: Bulletin) -> str:
    lines = [f"# {bulletin.title}", "", f"**{bulletin.subtitle}**", "", bulletin.issuer, ""]
    for section in bulletin.sections:
        lines += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [_paragraph(paragraph, bulletin), ""]
            if section.title == "【重要指标】" and paragraph.action:
                for chart in bulletin.charts.get(paragraph.action, []):
                    lines += [f"![{chart.title}]({chart.filename})", ""]
        if not section.paragraphs:
            lines += [section.empty, ""]
    lines += [f"{line}  " for line in bulletin.distribution]
    lines.append("")
    if bulletin.colophon:
        lines += [bulletin.colophon, ""]
    for title, prefix, notes in (("修订说明", "r", bulletin.revision_notes),
                                 ("数据质量提示", "q", bulletin.gate_notes),
                                 ("数据来源", "s", bulletin.sources),
                                 ("文字材料来源", "n", bulletin.prose_notes)):
        if notes.texts:
            lines += [f"## {title}", ""]
            lines += [f"[^{prefix}{number}]: {markdown_text(text)}"  # notes carry file names
                      for number, text in enumerate(notes.texts, 1)]
            lines.append("")
    return "\n".join(lines)


def _paragraph(paragraph: Paragraph, bulletin: Bulletin) -> str:
    parts = [paragraph.heading]
    for run in paragraph.runs:
        if isinstance(run, NoteRef):
            parts.append(f"[^{NOTE_PREFIX[run.kind]}{run.key}]")
        elif isinstance(run, Figure):
            parts.append(run.text)
        else:
            parts.append(markdown_text(run) if paragraph.prose is not None else run)  # prose came from a file
    if paragraph.prose is not None:
        parts.append(f"[^n{bulletin.prose_notes.add(paragraph.prose.describe())}]")
    return "".join(parts)
