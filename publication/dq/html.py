"""HTML reports (Chinese, self-contained: inline CSS, no scripts, fonts or images from outside)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from publication.dq.model import DepartmentReport

TEMPLATES = Path(__file__).with_name("templates")


@cache
def environment() -> Environment:
    """One per process: a template is compiled once, not for every department's report (jinja
    still reloads a template whose file changed)."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=True, lstrip_blocks=True)


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def render_department(report: DepartmentReport, generated_at: str) -> str:
    return environment().get_template("department.html.j2").render(
        report=report, month_label=month_label(report.month), generated_at=generated_at,
    )


def render_summary(context: dict[str, Any]) -> str:
    return environment().get_template("index.html.j2").render(month_label=month_label(context["month"]), **context)


def write_html(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
