"""Reading one narrative file: who wrote it, and each paragraph under its section and action.

``read_narrative`` is pure (bytes in, result out) and never raises for bad input: every problem is
an ``Issue`` with the file, the paragraph number and the reason. The portal's upload check calls
it for one file; the monthly ingest calls it for every archived narrative file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingestion.archive import safe_suffix
from ingestion.issues import Issue
from ingestion.narrative.catalog import NarrativeCatalog, Submitter
from ingestion.narrative.documents import NARRATIVE_SUFFIXES, SourceParagraph, read_paragraphs
from ingestion.narrative.headings import action_heading, looks_like_section, section_of
from ingestion.readers import UnreadableFile

EXCERPT_CHARS = 40


@dataclass(frozen=True)
class NarrativeParagraph:
    section: str  # 重点任务 | 突出问题 | 特色亮点
    action: str  # action_name from actions.csv
    source_paragraph: int
    text: str


@dataclass
class NarrativeReadResult:
    submitter: Submitter | None
    paragraphs: list[NarrativeParagraph] = field(default_factory=list)
    findings: list[Issue] = field(default_factory=list)
    encoding: str | None = None
    readable: bool = True  # False: the file as a whole could not be read

    @property
    def blocking(self) -> list[Issue]:
        return [finding for finding in self.findings if finding.severity == "blocking"]


def is_narrative(file_name: str) -> bool:
    return safe_suffix(file_name) in NARRATIVE_SUFFIXES


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def read_narrative(source: bytes | Path, file_name: str, catalog: NarrativeCatalog) -> NarrativeReadResult:
    """Read a narrative file (its bytes, or a path to them) received under ``file_name``."""
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
        lines, encoding = read_paragraphs(data, safe_suffix(file_name))
    except (UnreadableFile, OSError) as exc:
        rule = getattr(exc, "rule", "unreadable_file")
        submitter = catalog.submitter_in(file_name)
        return NarrativeReadResult(submitter, findings=[Issue(rule, "blocking", str(exc), file_name)], readable=False)
    return _place(lines, file_name, catalog, encoding)


def _place(lines: list[SourceParagraph], file_name: str, catalog: NarrativeCatalog,
           encoding: str | None) -> NarrativeReadResult:
    written = [line for line in lines if line.text]
    title = written[0] if written and section_of(written[0].text, written[0].level is not None) is None else None
    submitter = (catalog.submitter_in(title.text) if title else None) or catalog.submitter_in(file_name)
    result = NarrativeReadResult(submitter, encoding=encoding)
    if submitter is None:
        where = title.number if title else None
        result.findings.append(Issue(
            "narrative_unknown_submitter", "blocking",
            "标题和文件名均未写明报送单位（工作专班、部门或县市区的标准名称）", file_name, None, where, "标题",
            _excerpt(title.text) if title else file_name))
        return result
    default = catalog.default_action(submitter)
    section: str | None = None
    action: str | None = default
    for line in written:
        if line is title:
            continue
        styled = line.level is not None or line.bold
        named_section = section_of(line.text, styled)
        if named_section:
            section, action = named_section, default
            continue
        heading = action_heading(line.text, catalog)
        if heading:
            action = heading.action
            if not heading.rest:
                continue
            text = heading.rest
        elif looks_like_section(line.text, line.level):
            section = None  # a heading of a section yuebao does not know (下一步工作打算 …)
            result.findings.append(Issue(
                "narrative_unknown_section", "warning", f"“{_excerpt(line.text)}”不是已知的章节标题"
                "（重点任务、突出问题、特色亮点），其下文字不进入月报", file_name, None, line.number, "段落",
                _excerpt(line.text)))
            continue
        else:
            text = line.text
        if section is None:
            result.findings.append(Issue(
                "narrative_outside_section", "blocking", "该段文字不在任何已知章节（重点任务、突出问题、特色亮点）之下",
                file_name, None, line.number, "段落", _excerpt(text)))
        elif action is None:
            result.findings.append(Issue(
                "narrative_action_unknown", "blocking", f"无法确定该段属于哪项行动：{submitter.name}不只负责一项行动，"
                "请在段前加行动标题（如“▲实施产业培塑行动。”）", file_name, None, line.number, "段落", _excerpt(text)))
        else:
            result.paragraphs.append(NarrativeParagraph(section, action, line.number, text))
    if not result.paragraphs and not result.findings:
        result.findings.append(Issue("narrative_empty", "warning", "文件中没有可放入月报的文字", file_name))
    return result
