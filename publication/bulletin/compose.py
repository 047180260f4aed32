"""Assemble the month's bulletin from the warehouse inputs (format-independent)."""

from __future__ import annotations

from publication.bulletin.charts import action_charts
from publication.bulletin.data import BulletinData
from publication.bulletin.document import Bulletin, Notes
from publication.bulletin.indicators import indicator_paragraphs
from publication.bulletin.problems import ProblemThresholds, problem_paragraphs
from publication.bulletin.provenance import Annotator


def compose(data: BulletinData, thresholds: ProblemThresholds | None = None, with_charts: bool = True) -> Bulletin:
    annotate = Annotator(data.gate_failures, data.revisions, Notes(), Notes(), Notes())
    year, month = data.month_start.year, data.month_start.month
    return Bulletin(
        title=f"{data.city_name}实施“八大行动”工作月报",
        subtitle=f"{year}年{month}月",
        indicators=indicator_paragraphs(data, annotate),
        problems=problem_paragraphs(data, annotate, thresholds),
        charts={action: action_charts(data, action) for action in data.actions} if with_charts else {},
        sources=annotate.sources,
        gate_notes=annotate.gate_notes,
        revision_notes=annotate.revision_notes,
    )
