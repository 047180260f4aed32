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
    bulletin = Bulletin(
        title=f"{data.city_name}实施“八大行动”工作月报",
        subtitle=f"{year}年{month}月",
        indicators=indicator_paragraphs(data, annotate),
        problems=problem_paragraphs(data, annotate, thresholds),
        charts={action: action_charts(data, action) for action in data.actions} if with_charts else {},
        sources=annotate.sources,
        gate_notes=annotate.gate_notes,
        revision_notes=annotate.revision_notes,
    )
    for waiver in data.gate_waivers:  # every waived check is footnoted, whether or not a figure shows it
        annotate.gate_notes.add(
            f"经协调办豁免发布：{waiver.get('department')}的“{waiver.get('rule')}”检查未通过，"
            f"由{waiver.get('waived_by')}于{str(waiver.get('waived_at', ''))[:10]}豁免，理由：{waiver.get('reason')}"
        )
    return bulletin
