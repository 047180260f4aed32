"""Draw the bulletin's charts (``chart_specs.ChartSpec``) as PNG bytes, with matplotlib's Agg backend.

PNG bytes for the HTML (base64), the DOCX and the Markdown's chart files. Chinese labels need a CJK
font (``chart_fonts``): without one the charts still render, with a warning. ``chart_cache`` decides what is drawn
where; a change to this file changes every chart's cache key (its bytes are part of the key).
"""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from publication.bulletin.document import BarPanel, Chart, ChartSpec, LinePanel  # noqa: E402

RED, BLUE, GREY = "#b22222", "#2f5597", "#7f7f7f"
DPI = 110


def draw(spec: ChartSpec, style: dict[str, object]) -> Chart:
    """The chart's PNG; the same spec and style always give the same bytes."""
    with plt.rc_context(style), warnings.catch_warnings():
        # one "Glyph … missing" warning per character and chart when no CJK font is installed:
        # chart_fonts.cjk_font() has said it once
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        if spec.kind == "bars":
            png = _bars(spec.panels)  # type: ignore[arg-type]
        else:
            png = _lines(spec.panels)  # type: ignore[arg-type]
    return Chart(spec.title, spec.filename, png)


# Fixed margins in inches instead of tight_layout, which drew every figure once more only to measure
# its labels (40 % of a chart's time); labels are short region names and one-line titles.
MARGINS_IN = {"left": 0.75, "right": 0.2, "top": 0.4, "bottom": 0.35, "between_columns": 0.9, "between_rows": 0.75}


def _figure(panels: int, height: float) -> tuple[plt.Figure, list[plt.Axes]]:
    columns = min(panels, 2)
    rows = (panels + 1) // 2
    width, tall = 5.6 * columns, height * rows
    figure, axes = plt.subplots(rows, columns, figsize=(width, tall), squeeze=False)
    m = MARGINS_IN
    panel_width = (width - m["left"] - m["right"] - m["between_columns"] * (columns - 1)) / columns
    panel_height = (tall - m["top"] - m["bottom"] - m["between_rows"] * (rows - 1)) / rows
    figure.subplots_adjust(left=m["left"] / width, right=1 - m["right"] / width, top=1 - m["top"] / tall,
                           bottom=m["bottom"] / tall, wspace=m["between_columns"] / panel_width,
                           hspace=m["between_rows"] / panel_height)
    for extra in axes.flat[panels:]:
        extra.set_visible(False)
    return figure, list(axes.flat[:panels])


def _bars(panels: tuple[BarPanel, ...]) -> bytes:
    figure, axes = _figure(len(panels), 3.6)
    for ax, panel in zip(axes, panels, strict=True):
        colors = [RED if value < 0 else BLUE for value in panel.values]
        ax.barh(list(panel.labels), list(panel.values), color=colors, height=0.65)
        for position, (value, text) in enumerate(zip(panel.values, panel.value_texts, strict=True)):
            ax.annotate(text, (value, position), xytext=(3 if value >= 0 else -3, 0),
                        textcoords="offset points", va="center", ha="left" if value >= 0 else "right", fontsize=8)
        ax.axvline(panel.mark, color=RED, linestyle="--", linewidth=1.2, label=panel.mark_label)
        ax.axvline(0, color=GREY, linewidth=0.6)
        ax.set_title(panel.title, fontsize=11)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.18)
    return _png(figure)


def _lines(panels: tuple[LinePanel, ...]) -> bytes:
    figure, axes = _figure(len(panels), 3.0)
    for ax, panel in zip(axes, panels, strict=True):
        months = list(panel.months)
        ax.plot(months, list(panel.values), marker="o", color=BLUE, label=panel.city_name)
        for month, value, text in zip(months, panel.values, panel.value_texts, strict=True):
            ax.annotate(text, (month, value), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8)
        if panel.province_months:
            ax.plot(list(panel.province_months), list(panel.province_values), marker="s", color=GREY,
                    linestyle="--", label="全省")
        ax.set_title(panel.title, fontsize=11)
        ax.legend(fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(y=0.25)
    return _png(figure)


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()
