"""Footnotes for a warehouse row: its source, the quality-gate warnings and revisions touching it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from publication.bulletin import formatting as fmt
from publication.bulletin.document import Figure, NoteRef, Notes, Source


@dataclass
class Annotator:
    """Numbers the notes of one bulletin; the same row always gets the same note numbers."""

    gate_failures: list[dict[str, object]]
    revisions: pd.DataFrame
    sources: Notes
    gate_notes: Notes
    revision_notes: Notes

    def source(self, row: pd.Series) -> Source:
        department = row.get("submitted_by")
        return Source(
            department=str(department if fmt.present(department) else row["department"]),
            source_file=str(row["source_file"]),
            source_sheet=str(row["source_sheet"]) if fmt.present(row.get("source_sheet")) else None,
            source_row=int(row["source_row"]),
        )

    def figure(self, text: str, row: pd.Series) -> Figure:
        return Figure(text, self.source(row))

    def refs(self, rows: list[pd.Series]) -> list[NoteRef]:
        """Markers for the end of a clause built from ``rows``: sources, then warnings, then revisions."""
        refs: list[NoteRef] = []
        for row in rows:
            refs.append(NoteRef("source", self.sources.add(self.source(row).describe())))
        for row in rows:
            refs += [NoteRef("gate", self.gate_notes.add(text)) for text in self._gate_texts(row)]
            refs += [NoteRef("revision", self.revision_notes.add(text)) for text in self._revision_texts(row)]
        unique: list[NoteRef] = []
        for ref in refs:
            if ref not in unique:
                unique.append(ref)
        return unique

    def _gate_texts(self, row: pd.Series) -> list[str]:
        return self._gate_texts_by_row.get((row["source_file"], row["source_row"]), [])

    @cached_property
    def _gate_texts_by_row(self) -> dict[tuple[object, object], list[str]]:
        """Each failing row's warnings, one per failure, in the gate's order."""
        texts: dict[tuple[object, object], list[str]] = {}
        for failure in self.gate_failures:
            severity = "阻断" if failure.get("severity") == "blocking" else "提示"
            text = (f"质量{severity}（{failure.get('suite')}·{failure.get('column')}）："
                    f"{failure.get('description') or failure.get('expectation')}")
            for key in dict.fromkeys((bad.get("source_file"), bad.get("source_row"))
                                     for bad in failure.get("rows", []) or []):
                texts.setdefault(key, []).append(text)
        return texts

    def _revision_texts(self, row: pd.Series) -> list[str]:
        if self.revisions.empty:
            return []
        period = pd.Timestamp(row["period"])
        hits = self.revisions[
            (self.revisions["indicator_code"] == row["indicator_code"])
            & (self.revisions["region_code"] == row["region_code"])
            & (pd.to_datetime(self.revisions["period"]) == period)
        ]
        texts = []
        for revision in hits.itertuples():
            old_month = pd.Timestamp(revision.old_report_month)
            texts.append(
                f"{row['region_name']}{row['indicator_name']}（{period.year}年{period.month}月）修订："
                f"{old_month.year}年{old_month.month}月月报公布为{fmt.with_unit(revision.old_value, row['unit'])}，"
                f"现为{fmt.with_unit(revision.new_value, row['unit'])}"
            )
        return texts
