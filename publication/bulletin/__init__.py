"""The monthly bulletin: 【重要指标】 and 【突出问题】 by action, with charts, as HTML, Markdown and DOCX.

``write_bulletin`` is the publication writer (see ``publication.outputs``).
"""

from publication.bulletin.writer import write_bulletin

__all__ = ["write_bulletin"]
