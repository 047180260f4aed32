"""The publication writer: bulletin.html, bulletin.md (+ charts/) and bulletin.docx for a month."""

from __future__ import annotations

from pathlib import Path

from publication.bulletin.chart_cache import ChartJob
from publication.bulletin.chart_specs import bulletin_chart_specs
from publication.bulletin.compose import compose
from publication.bulletin.data import load
from publication.bulletin.render_docx import write_docx
from publication.bulletin.render_html import render_html
from publication.bulletin.render_markdown import render_markdown

FILES = ("bulletin.html", "bulletin.md", "bulletin.docx")


def write_bulletin(build_db: Path, month: str, out_dir: Path, gate_json: Path | None = None,
                   city_code: str | None = None, distribution: Path | None = None,
                   chart_cache: Path | None = None) -> Path:
    """Write the three formats into ``out_dir``; the gate's result (notes on warnings and waivers)
    is read from ``gate_json`` when given (``MonthRun.gate_file``), the 报/送 lines from
    ``distribution`` (``MonthRun.distribution_file``; None: the packaged default). Charts come from
    ``chart_cache`` (``MonthRun.chart_cache_dir``; None: no cache) or are drawn in worker processes
    while the text is composed (``chart_cache.ChartJob``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = load(build_db, month, gate_json, city_code)
    with ChartJob(bulletin_chart_specs(data), chart_cache) as job:
        bulletin = compose(data, with_charts=False, distribution=distribution)
        bulletin.charts = job.charts()
    for charts in bulletin.charts.values():
        for chart in charts:
            (out_dir / chart.filename).parent.mkdir(parents=True, exist_ok=True)
            (out_dir / chart.filename).write_bytes(chart.png)
    (out_dir / "bulletin.md").write_text(render_markdown(bulletin), encoding="utf-8")
    (out_dir / "bulletin.html").write_text(render_html(bulletin), encoding="utf-8")
    write_docx(bulletin, out_dir / "bulletin.docx")
    return out_dir / "bulletin.html"
