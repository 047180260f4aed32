"""The fonts and style the bulletin's charts are drawn with (matplotlib's font manager only, not pyplot:
``chart_cache`` keys charts by them without drawing anything)."""

from __future__ import annotations

import contextlib
import warnings
from functools import cache

from matplotlib import font_manager

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "AR PL UMing CN")


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


def chart_style() -> dict[str, object]:
    """The rcParams every chart is drawn with."""
    font = cjk_font()
    return {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False,
            "font.size": 10}


def style_fonts(style: dict[str, object]) -> list[tuple[str, int]]:
    """The font files (path, face in a collection) the style's families resolve to in this process."""
    families = style["font.family"]
    assert isinstance(families, list)
    found = [font_manager.findfont(font_manager.FontProperties(family=family)) for family in families]
    return [(str(path), int(getattr(path, "face_index", 0))) for path in found]
