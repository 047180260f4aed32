"""Inline SVG charts for the indicator pages, drawn on the server (no script, nothing downloaded)."""

from __future__ import annotations

from markupsafe import Markup, escape

BLUE, GREY, TEXT = "#1f5fa8", "#d9dee4", "#52606d"


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def series_chart(points: list[tuple[str, float]], unit: str, width: int = 640, height: int = 240) -> Markup:
    """A line chart of (period, value), oldest first."""
    if not points:
        return Markup('<p class="meta">暂无数据</p>')
    left, right, top, bottom = 64, 16, 16, 40
    values = [value for _, value in points]
    low, high = min(0.0, min(values)), max(values)
    span = (high - low) or 1.0
    step = (width - left - right) / max(1, len(points) - 1)

    def x(index: int) -> float:
        return left + index * step if len(points) > 1 else (left + width - right) / 2

    def y(value: float) -> float:
        return top + (high - value) / span * (height - top - bottom)

    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
             f' xmlns="http://www.w3.org/2000/svg"><title>{escape(unit)}</title>']
    for fraction in (0, 0.5, 1):
        level = low + span * fraction
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(level):.1f}" y2="{y(level):.1f}" stroke="{GREY}"/>'
                     f'<text x="{left - 6}" y="{y(level) + 4:.1f}" text-anchor="end" font-size="11" fill="{TEXT}">'
                     f'{escape(_number(level))}</text>')
    path = " ".join(f"{'M' if index == 0 else 'L'}{x(index):.1f},{y(value):.1f}" for index, (_, value) in enumerate(points))
    parts.append(f'<path d="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    label_every = max(1, len(points) // 8)
    for index, (period, value) in enumerate(points):
        parts.append(f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="3" fill="{BLUE}">'
                     f'<title>{escape(period)}: {escape(_number(value))} {escape(unit)}</title></circle>')
        if index % label_every == 0 or index == len(points) - 1:
            anchor = "end" if index == len(points) - 1 and len(points) > 1 else "middle"
            parts.append(f'<text x="{x(index):.1f}" y="{height - bottom + 18}" text-anchor="{anchor}" font-size="11"'
                         f' fill="{TEXT}">{escape(period)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(bars: list[tuple[str, float]], unit: str, width: int = 640) -> Markup:
    """Horizontal bars of (label, value), in the order given."""
    if not bars:
        return Markup('<p class="meta">暂无县市区数据</p>')
    row, left, right, top = 24, 120, 80, 8
    height = top * 2 + row * len(bars)
    high = max(max(value for _, value in bars), 0.0)
    low = min(min(value for _, value in bars), 0.0)
    span = (high - low) or 1.0
    scale = (width - left - right) / span
    zero = left + (0 - low) * scale
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
             f' xmlns="http://www.w3.org/2000/svg"><title>{escape(unit)}</title>']
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        start, end = sorted((zero, zero + value * scale))
        parts.append(f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" font-size="12" fill="#1f2933">{escape(label)}</text>'
                     f'<rect x="{start:.1f}" y="{y + 4}" width="{max(end - start, 1):.1f}" height="{row - 8}" fill="{BLUE}">'
                     f'<title>{escape(label)}: {escape(_number(value))} {escape(unit)}</title></rect>'
                     f'<text x="{end + 6:.1f}" y="{y + 16}" font-size="11" fill="{TEXT}">{escape(_number(value))}</text>')
    parts.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{top}" y2="{height - top}" stroke="{TEXT}"/></svg>')
    return Markup("".join(parts))
