"""Text from received files (names, sheet names, cells) made inert in the formats we publish.

HTML is escaped where it is written (``html.escape``, Jinja's autoescape); XLSX cells are
neutralised in ``publication.dq.xlsx``. Markdown needs both: a file named
``<img src=x onerror=…>.csv`` or ``[x](javascript:…).csv`` must print as text in ``bulletin.md``.
"""

from __future__ import annotations

import re

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Characters that start Markdown syntax anywhere in a line (CommonMark escapes any ASCII
# punctuation with a backslash): emphasis, code, links and images, footnotes, tables, strikethrough.
_MARKDOWN = re.compile(r"([\\`*_\[\]!|~#])")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown: one line, HTML and Markdown specials escaped."""
    flat = _LINE_BREAKS.sub(" ", text)
    escaped = "".join(_HTML.get(char, char) for char in flat)
    return _MARKDOWN.sub(r"\\\1", escaped)
