"""The bulletin as structured content, rendered alike to HTML, Markdown and DOCX.

The report is four sections (【重要指标】【重点任务】【突出问题】【特色亮点】) of paragraphs. A paragraph
is a list of runs: plain text, or a `Figure` (a formatted number with the row it came from); a
prose paragraph (文字材料) also carries the submitter, file and paragraph it came from. Notes
(sources, quality-gate warnings, revisions) are attached to clauses, so every renderer can place
the same notes after the same words (the HTML and Markdown as note marks, the DOCX in its appendix).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where a number came from: the sending department, its file and row."""

    department: str
    source_file: str
    source_sheet: str | None
    source_row: int

    def describe(self) -> str:
        sheet = f"，工作表“{self.source_sheet}”" if self.source_sheet else ""
        return f"{self.department}：{self.source_file}{sheet}，第{self.source_row}行"


@dataclass(frozen=True)
class Figure:
    """A number as printed, with its source (None for numbers derived from several rows)."""

    text: str
    source: Source | None = None


@dataclass(frozen=True)
class NoteRef:
    """A footnote marker: ``kind`` is "source", "gate" or "revision"; ``key`` indexes the note."""

    kind: str
    key: int


Run = str | Figure | NoteRef


@dataclass(frozen=True)
class ProseSource:
    """Where a prose paragraph came from: the submitter, its file and paragraph number."""

    submitter: str
    source_file: str
    source_paragraph: int

    def describe(self) -> str:
        return f"{self.submitter}：{self.source_file}，第{self.source_paragraph}段"


@dataclass
class Paragraph:
    heading: str
    runs: list[Run] = field(default_factory=list)
    action: str | None = None
    prose: ProseSource | None = None

    def text(self) -> str:
        """Plain text without note markers (what the tests and the DOCX body read)."""
        return self.heading + "".join(run if isinstance(run, str) else run.text
                                      for run in self.runs if not isinstance(run, NoteRef))


@dataclass(frozen=True)
class BarPanel:
    """One indicator by county, smallest value first, with the city figure (or the mean) marked."""

    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    value_texts: tuple[str, ...]
    mark: float
    mark_label: str


@dataclass(frozen=True)
class LinePanel:
    """One indicator's monthly values in the city this year, with the province's beside them."""

    title: str
    months: tuple[str, ...]
    values: tuple[float, ...]
    value_texts: tuple[str, ...]
    city_name: str
    province_months: tuple[str, ...]
    province_values: tuple[float, ...]


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw: ``kind`` "bars" (``BarPanel``s) or "lines" (``LinePanel``s)."""

    title: str
    filename: str
    kind: str
    panels: tuple[BarPanel, ...] | tuple[LinePanel, ...]


@dataclass(frozen=True)
class Chart:
    title: str
    filename: str
    png: bytes


@dataclass
class Notes:
    """Numbered notes, each text stored once; ``add`` returns the note's number."""

    texts: list[str] = field(default_factory=list)

    def add(self, text: str) -> int:
        if text not in self.texts:
            self.texts.append(text)
        return self.texts.index(text) + 1


@dataclass
class Section:
    """One of the report's four sections; ``empty`` is printed when it has no paragraph."""

    title: str
    paragraphs: list[Paragraph]
    empty: str


@dataclass
class Bulletin:
    title: str
    subtitle: str
    issuer: str
    sections: list[Section]
    charts: dict[str, list[Chart]]
    sources: Notes
    gate_notes: Notes
    revision_notes: Notes
    prose_notes: Notes = field(default_factory=Notes)
    distribution: list[str] = field(default_factory=list)
    colophon: str | None = None

    def section(self, title: str) -> Section:
        return next(section for section in self.sections if section.title == title)

    @property
    def indicators(self) -> list[Paragraph]:
        return self.section("【重要指标】").paragraphs

    @property
    def problems(self) -> list[Paragraph]:
        return self.section("【突出问题】").paragraphs
