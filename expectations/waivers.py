"""Waivers: the coordination office's recorded decision to publish past a blocking check.

A waiver names (report month, department, rule), who decided, when and why. They are appended
to ``<home>/waivers.jsonl`` (kept between runs, never rewritten) and copied into the published
warehouse as the table ``dq_waivers`` for audit. There is no other way past a blocking failure.
The gate applies them (``expectations.gate.apply_waivers``); `yuebao waive` records them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingestion.report_month import ReportMonth

WAIVERS_FILE = "waivers.jsonl"


@dataclass(frozen=True)
class Waiver:
    month: str
    department: str
    rule: str
    waived_by: str
    reason: str
    waived_at: str  # ISO 8601 UTC

    def __post_init__(self) -> None:
        ReportMonth.parse(self.month)  # InvalidMonth (a ValueError) unless YYYY-MM
        for name in ("department", "rule", "waived_by", "reason"):
            if not str(getattr(self, name)).strip():
                raise ValueError(f"a waiver needs a non-empty {name}")


def waivers_path(home: Path) -> Path:
    return Path(home) / WAIVERS_FILE


def record_waiver(home: Path, month: str, department: str, rule: str, waived_by: str, reason: str,
                  now: datetime | None = None) -> Waiver:
    """Append one waiver to the home's log and return it."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    waiver = Waiver(month, department.strip(), rule.strip(), waived_by.strip(), reason.strip(),
                    moment.isoformat().replace("+00:00", "Z"))
    path = waivers_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(waiver), ensure_ascii=False) + "\n")
    return waiver


def load_waivers(home: Path, month: str | None = None) -> list[Waiver]:
    """Every recorded waiver (of one report month when given), oldest first."""
    path = waivers_path(home)
    if not path.exists():
        return []
    waivers = [Waiver(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [waiver for waiver in waivers if month is None or waiver.month == month]
