"""Telling which department sent a file: its 报送单位 cells, a footnote, or its file name."""

from __future__ import annotations

import csv
from pathlib import Path

from ingestion.text import normalize

UNKNOWN_DEPARTMENT = "未识别单位"


class DepartmentDirectory:
    """Standard department names and their aliases, from the catalog seed."""

    def __init__(self, seed: Path) -> None:
        self.names: dict[str, str] = {}
        with seed.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                standard = row["department_name"]
                for alias in [standard, *filter(None, (row.get("aliases") or "").split("|"))]:
                    self.names[normalize(alias)] = standard

    def standard(self, name: str | None) -> str | None:
        return self.names.get(normalize(name)) if name else None

    def in_text(self, text: str) -> str | None:
        """The department whose longest name or alias occurs in ``text`` (a file name)."""
        folded = normalize(text)
        hits = [alias for alias in self.names if alias in folded]
        return self.names[max(hits, key=len)] if hits else None
