"""Imported once by the chart workers' fork server (``chart_cache``): matplotlib, pyplot and the font
list with the system's CJK fonts, so that each worker forked from it starts ready to draw."""

from publication.bulletin import charts  # noqa: F401
from publication.bulletin.chart_fonts import cjk_font

cjk_font()
