"""The monthly bulletin: 【重要指标】 and 【突出问题】 by action, with charts, as HTML, Markdown and DOCX.

``write_bulletin`` is the publication writer (see ``publication.outputs``). It is imported on first
use: the chart workers (``chart_cache``) import this package's drawing modules, not the writers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publication.bulletin.writer import write_bulletin

__all__ = ["write_bulletin"]


def __getattr__(name: str) -> object:
    if name == "write_bulletin":
        from publication.bulletin.writer import write_bulletin

        return write_bulletin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
