"""Per action: the indicators by county (bars, city figure marked) and the city's trend this year.

matplotlib with the Agg backend; PNG bytes for the HTML (base64), the DOCX and the Markdown's
chart files. Chinese labels need a CJK font: without one the charts still render, with a warning.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from functools import cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from publication.bulletin import formatting as fmt  # noqa: E402
from publication.bulletin.data import BulletinData  # noqa: E402
from publication.bulletin.document import Chart  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "AR PL UMing CN")
MAX_PANELS = 4
MIN_COUNTIES = 3
RED, BLUE, GREY = "#b22222", "#2f5597", "#7f7f7f"


def _installed_cjk_family() -> str | None:
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@cache
def cjk_font() -> str | None:
    """The first installed CJK font family, or None (with a warning: labels will show boxes)."""
    found = _installed_cjk_family()
    if found is None:  # matplotlib's cached font list may predate fonts installed since: add them
        known = {entry.fname for entry in font_manager.fontManager.ttflist}
        for path in set(font_manager.findSystemFonts()) - known:
            with contextlib.suppress(RuntimeError, OSError, ValueError):
                font_manager.fontManager.addfont(path)
        found = _installed_cjk_family()
    if found is None:
        warnings.warn("no CJK font found (install fonts-noto-cjk): chart labels will not show Chinese",
                      stacklevel=2)
    return found


def action_charts(data: BulletinData, action: str) -> list[Chart]:
    font = cjk_font()
    style = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False,
             "font.size": 10}
    with plt.rc_context(style):
        return _action_charts(data, action)


def _action_charts(data: BulletinData, action: str) -> list[Chart]:
    charts = []
    slug = f"{data.actions.index(action) + 1:02d}"
    counties = _county_panels(data, action)
    if counties:
        charts.append(Chart(f"{action}：各县市区指标", f"charts/{slug}-counties.png", _bars(data, counties)))
    trends = _trend_panels(data, action)
    if trends:
        charts.append(Chart(f"{action}：全市{data.month_start.year}年走势", f"charts/{slug}-trend.png",
                            _lines(data, trends)))
    return charts


def _county_panels(data: BulletinData, action: str) -> list[pd.DataFrame]:
    report = data.report
    counties = report[(report["action"] == action) & (report["region_level"] == "county")
                      & (report["parent_code"] == data.city_code)]
    panels = [frame for _, frame in counties.groupby("catalog_order", sort=True) if len(frame) >= MIN_COUNTIES]
    return panels[:MAX_PANELS]


def _trend_panels(data: BulletinData, action: str) -> list[pd.DataFrame]:
    history = data.history
    city = history[(history["action"] == action) & (history["region_code"] == data.city_code)
                   & (pd.to_datetime(history["period"]).dt.year == data.month_start.year)]
    panels = [frame for _, frame in city.groupby("catalog_order", sort=True) if frame["period"].nunique() >= 2]
    return panels[:MAX_PANELS]


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


def _bars(data: BulletinData, panels: list[pd.DataFrame]) -> bytes:
    figure, axes = _figure(len(panels), 3.6)
    city = data.report[data.report["region_code"] == data.city_code].set_index("indicator_code")
    for ax, frame in zip(axes, panels, strict=True):
        frame = frame.sort_values("value")
        unit = str(frame["unit"].iloc[0])
        labels = frame["short_name"].where(frame["short_name"].notna(), frame["region_name"])
        colors = [RED if value < 0 else BLUE for value in frame["value"]]
        ax.barh(labels, frame["value"], color=colors, height=0.65)
        for position, value in enumerate(frame["value"]):
            ax.annotate(fmt.number(value), (value, position), xytext=(3 if value >= 0 else -3, 0),
                        textcoords="offset points", va="center", ha="left" if value >= 0 else "right", fontsize=8)
        code = frame["indicator_code"].iloc[0]
        if code in city.index and unit == "%":
            mark, label = float(city.loc[code, "value"]), f"全市 {fmt.number(city.loc[code, 'value'])}%"
        else:
            mark, label = float(frame["value"].mean()), f"县市区平均 {fmt.number(frame['value'].mean(), 2)}"
        ax.axvline(mark, color=RED, linestyle="--", linewidth=1.2, label=label)
        ax.axvline(0, color=GREY, linewidth=0.6)
        ax.set_title(f"{frame['indicator_name'].iloc[0]}（{unit}）", fontsize=11)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.18)
    return _png(figure)


def _lines(data: BulletinData, panels: list[pd.DataFrame]) -> bytes:
    figure, axes = _figure(len(panels), 3.0)
    province = data.history[data.history["region_level"] == "province"]
    for ax, frame in zip(axes, panels, strict=True):
        frame = frame.sort_values("period")
        unit = str(frame["unit"].iloc[0])
        months = [f"{period.month}月" for period in frame["period"]]
        ax.plot(months, frame["value"], marker="o", color=BLUE, label=data.city_name)
        for month, value in zip(months, frame["value"], strict=True):
            ax.annotate(fmt.number(value), (month, value), xytext=(0, 6), textcoords="offset points",
                        ha="center", fontsize=8)
        same = province[(province["indicator_code"] == frame["indicator_code"].iloc[0])
                         & province["period"].isin(list(frame["period"]))].sort_values("period")
        if not same.empty:
            ax.plot([f"{period.month}月" for period in same["period"]], same["value"], marker="s",
                    color=GREY, linestyle="--", label="全省")
        ax.set_title(f"{frame['indicator_name'].iloc[0]}（{unit}）", fontsize=11)
        ax.legend(fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(y=0.25)
    return _png(figure)


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()
