"""bulletin.html: self-contained (inline CSS, charts as data: URIs). Every number links to the note
naming its department, file and row (and says so in its tooltip); every prose paragraph links to the
note naming its submitter, file and paragraph. Everything that came from a file is HTML-escaped."""

from __future__ import annotations

import base64
from html import escape

from publication.bulletin.document import Bulletin, Chart, Figure, NoteRef, Paragraph

NOTE_MARK = {"source": ("s", ""), "gate": ("q", "※"), "revision": ("r", "修"), "prose": ("n", "文")}

CSS = """
body { margin: 0; background: #f2f2f2; color: #1a1a1a;
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", serif; }
main { max-width: 880px; margin: 24px auto; background: #fff; padding: 48px 72px 56px;
  box-shadow: 0 1px 4px rgba(0,0,0,.15); }
header { text-align: center; border-bottom: 3px solid #c00000; padding-bottom: 14px; margin-bottom: 28px; }
header h1 { color: #c00000; font-size: 30px; letter-spacing: 4px; margin: 0 0 10px; font-weight: 700; }
header .subtitle { font-size: 18px; letter-spacing: 2px; }
h2 { font-size: 20px; margin: 32px 0 14px; font-family: "Noto Sans CJK SC", "SimHei", sans-serif; }
p { font-size: 16.5px; line-height: 2; text-indent: 2em; margin: 0 0 12px; text-align: justify; }
p .heading { font-weight: 700; font-family: "Noto Sans CJK SC", "SimHei", sans-serif; }
.fig { border-bottom: 1px dotted #8a8a8a; cursor: help; }
sup { font-size: 10px; line-height: 0; }
sup a { text-decoration: none; color: #6b6b6b; }
sup.gate a { color: #b36b00; } sup.revision a { color: #c00000; }
figure { margin: 8px 0 22px; text-align: center; }
figure img { max-width: 100%; }
figcaption { font-size: 13px; color: #555; font-family: "Noto Sans CJK SC", sans-serif; }
section.notes { font-size: 12.5px; color: #444; border-top: 1px solid #ccc; margin-top: 30px; }
section.notes h2 { font-size: 15px; margin: 18px 0 8px; }
section.notes ol { padding-left: 2.4em; margin: 0; line-height: 1.7; }
a.fig { color: inherit; text-decoration: none; }
sup.prose a { color: #2b5797; }
.issuer { text-align: center; font-size: 15px; margin: -14px 0 24px; }
.distribution { border-top: 1px solid #1a1a1a; border-bottom: 1px solid #1a1a1a; margin-top: 36px; padding: 6px 0; }
.distribution p { text-indent: 0; margin: 0; font-size: 15px; }
.colophon { font-size: 13px; color: #555; text-indent: 0; }
"""


def render_html(bulletin: Bulletin) -> str:
    body = [f"<header><h1>{escape(bulletin.title)}</h1><div class=\"subtitle\">{escape(bulletin.subtitle)}</div>"
            f"</header><p class=\"issuer\">{escape(bulletin.issuer)}</p>"]
    for section in bulletin.sections:
        body.append(f"<h2>{escape(section.title)}</h2>")
        for paragraph in section.paragraphs:
            body.append(_paragraph(paragraph, bulletin))
            if section.title == "【重要指标】" and paragraph.action:
                body += [_chart(chart) for chart in bulletin.charts.get(paragraph.action, [])]
        if not section.paragraphs:
            body.append(f"<p>{escape(section.empty)}</p>")
    if bulletin.distribution:
        lines = "".join(f"<p>{escape(line)}</p>" for line in bulletin.distribution)
        body.append(f"<section class=\"distribution\">{lines}</section>")
    if bulletin.colophon:
        body.append(f"<p class=\"colophon\">{escape(bulletin.colophon)}</p>")
    for title, kind, notes in (("修订说明", "revision", bulletin.revision_notes),
                               ("数据质量提示", "gate", bulletin.gate_notes),
                               ("数据来源", "source", bulletin.sources),
                               ("文字材料来源", "prose", bulletin.prose_notes)):
        if notes.texts:
            prefix = NOTE_MARK[kind][0]
            items = "".join(f"<li id=\"{prefix}{number}\">{escape(text)}</li>"
                            for number, text in enumerate(notes.texts, 1))
            body.append(f"<section class=\"notes {kind}\"><h2>{title}</h2><ol>{items}</ol></section>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(bulletin.title)}（{escape(bulletin.subtitle)}）</title>"
            f"<style>{CSS}</style></head><body><main>{''.join(body)}</main></body></html>\n")


def _paragraph(paragraph: Paragraph, bulletin: Bulletin) -> str:
    parts = [f"<span class=\"heading\">{escape(paragraph.heading)}</span>"] if paragraph.heading else []
    previous: object = None
    for run in paragraph.runs:
        if isinstance(run, NoteRef):
            prefix, mark = NOTE_MARK[run.kind]
            comma = "," if isinstance(previous, NoteRef) else ""
            parts.append(f"<sup class=\"{run.kind}\">{comma}<a href=\"#{prefix}{run.key}\">{mark}{run.key}</a></sup>")
        elif isinstance(run, Figure):
            parts.append(_figure(run, bulletin))
        else:
            parts.append(escape(run))
        previous = run
    if paragraph.prose is None:
        return f"<p>{''.join(parts)}</p>"
    source = paragraph.prose.describe()
    number = bulletin.prose_notes.add(source)
    parts.append(f"<sup class=\"prose\"><a href=\"#n{number}\" title=\"{escape(source)}\">文{number}</a></sup>")
    return (f"<p class=\"prose\" data-submitter=\"{escape(paragraph.prose.submitter)}\""
            f" data-source-file=\"{escape(paragraph.prose.source_file)}\">{''.join(parts)}</p>")


def _figure(figure: Figure, bulletin: Bulletin) -> str:
    """A number linked to its source note (a tooltip names the source too)."""
    if figure.source is None:
        return f"<span class=\"fig\">{escape(figure.text)}</span>"
    source = figure.source.describe()
    number = bulletin.sources.add(source)
    return f"<a class=\"fig\" href=\"#s{number}\" title=\"{escape(source)}\">{escape(figure.text)}</a>"


def _chart(chart: Chart) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    return (f"<figure><img alt=\"{escape(chart.title)}\" src=\"data:image/png;base64,{data}\">"
            f"<figcaption>{escape(chart.title)}</figcaption></figure>")
