"""Assemble the month's bulletin from the warehouse inputs (format-independent): the four sections
in the seed's order, actions in actions.csv order, the distribution lines and the release colophon.

Empty parts: an action without prose in a section is left out of that section (as the seed leaves
actions without highlights out of 【特色亮点】); a section with nothing at all says so in one line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from publication.bulletin.data import BulletinData
from publication.bulletin.document import Bulletin, Chart, Notes, Paragraph, Section
from publication.bulletin.indicators import indicator_paragraphs
from publication.bulletin.narrative import prose_paragraphs, prose_text
from publication.bulletin.problems import ProblemThresholds, problem_paragraphs
from publication.bulletin.provenance import Annotator

# The 报/送 lines ending the report: the office edits this file (one line each).
DISTRIBUTION_FILE = Path(__file__).with_name("distribution.txt")
ISSUER = "市实施“八大行动”综合协调组"


def compose(data: BulletinData, thresholds: ProblemThresholds | None = None, with_charts: bool = True,
            distribution: Path | None = None) -> Bulletin:
    annotate = Annotator(data.gate_failures, data.revisions, Notes(), Notes(), Notes())
    year, month = data.month_start.year, data.month_start.month
    bulletin = Bulletin(
        title=f"{data.city_name}实施“八大行动”工作月报",
        subtitle=f"{year}年{month}月",
        issuer=ISSUER,
        sections=[
            Section("【重要指标】", indicator_paragraphs(data, annotate), "本月无报送数据。"),
            Section("【重点任务】", _prose(data, "重点任务"), "本月未收到重点任务文字材料。"),
            Section("【突出问题】", _problems(data, annotate, thresholds), "本月未发现突出问题。"),
            Section("【特色亮点】", _prose(data, "特色亮点"), "本月未收到特色亮点文字材料。"),
        ],
        charts=_charts(data) if with_charts else {},
        sources=annotate.sources,
        gate_notes=annotate.gate_notes,
        revision_notes=annotate.revision_notes,
        distribution=read_distribution(distribution or DISTRIBUTION_FILE),
        colophon=_colophon(data.approval),
    )
    for section in bulletin.sections:  # prose notes numbered in reading order
        for paragraph in section.paragraphs:
            if paragraph.prose is not None:
                bulletin.prose_notes.add(paragraph.prose.describe())
    for waiver in data.gate_waivers:  # every waived check is footnoted, whether or not a figure shows it
        annotate.gate_notes.add(
            f"经协调办豁免发布：{waiver.get('department')}的“{waiver.get('rule')}”检查未通过，"
            f"由{waiver.get('waived_by')}于{str(waiver.get('waived_at', ''))[:10]}豁免，理由：{waiver.get('reason')}"
        )
    return bulletin


def _charts(data: BulletinData) -> dict[str, list[Chart]]:
    """Drawn here, uncached (``writer.write_bulletin`` renders them from its cache, in parallel)."""
    from publication.bulletin.chart_cache import ChartJob
    from publication.bulletin.chart_specs import bulletin_chart_specs

    with ChartJob(bulletin_chart_specs(data), cache_dir=None, workers=0) as job:
        return job.charts()


def read_distribution(path: Path) -> list[str]:
    """The non-empty lines of the distribution file (none when the file is absent)."""
    if not path.is_file():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _prose(data: BulletinData, section: str) -> list[Paragraph]:
    return [paragraph for action in data.actions for paragraph in prose_paragraphs(data, section, action)]


def _problems(data: BulletinData, annotate: Annotator, thresholds: ProblemThresholds | None) -> list[Paragraph]:
    """Per action: the prose first, then the problems found in the numbers that it does not state."""
    prose = {action: prose_text(data, "突出问题", action) for action in data.actions}
    found = {paragraph.action: paragraph for paragraph in problem_paragraphs(data, annotate, thresholds, prose)}
    paragraphs: list[Paragraph] = []
    for action in data.actions:
        paragraphs += prose_paragraphs(data, "突出问题", action)
        if action in found:
            paragraphs.append(found[action])
    return paragraphs


def _colophon(approval: dict[str, object] | None) -> str | None:
    if not approval:
        return None
    approved_at = pd.Timestamp(approval["approved_at"])
    comment = f"（{approval['comment']}）" if approval.get("comment") else ""
    return f"本期月报经{approval['approved_by']}于{approved_at:%Y年%m月%d日 %H:%M}审核同意发布{comment}。"
