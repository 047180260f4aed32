"""The immutable raw archive: every received file kept by checksum, with a manifest.

``<home>/raw/<sha256[:2]>/<sha256><suffix>`` holds the bytes; ``<home>/raw/manifest.jsonl``
one line per (report month, original name, sha256): who sent it and when it was received.
Archiving the same file again changes nothing, so any month can be rebuilt from here.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


@dataclass(frozen=True)
class ArchivedFile:
    sha256: str
    report_month: str  # YYYY-MM
    original_name: str
    size_bytes: int
    received_at: str  # ISO 8601 UTC: when the file was first seen in the inbox
    archive_path: str  # relative to home

    def path(self, home: Path) -> Path:
        return home / self.archive_path


def safe_suffix(name: str) -> str:
    """The file's extension, lower case, or '' when it is not a plain short extension."""
    suffix = Path(name).suffix.lower()
    return suffix if _SAFE_SUFFIX.match(suffix) else ""


class RawArchive:
    def __init__(self, home: Path) -> None:
        self.root = home / "raw"
        self.home = home
        self.manifest = self.root / "manifest.jsonl"

    def entries(self) -> list[ArchivedFile]:
        if not self.manifest.exists():
            return []
        with self.manifest.open(encoding="utf-8") as handle:
            return [ArchivedFile(**json.loads(line)) for line in handle if line.strip()]

    def for_month(self, report_month: str) -> list[ArchivedFile]:
        return [entry for entry in self.entries() if entry.report_month == report_month]

    def current_for_month(self, report_month: str) -> set[str]:
        """sha256 of the files in force: the latest received version of each file name."""
        latest: dict[str, ArchivedFile] = {}
        for entry in self.for_month(report_month):
            known = latest.get(entry.original_name)
            if known is None or (entry.received_at, entry.sha256) > (known.received_at, known.sha256):
                latest[entry.original_name] = entry
        return {entry.sha256 for entry in latest.values()}

    def add(self, source: Path, report_month: str) -> ArchivedFile:
        """Archive one inbox file (idempotent: the same bytes and name give the same entry)."""
        data = source.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for entry in self.for_month(report_month):
                if entry.sha256 == sha256 and entry.original_name == source.name:
                    return entry
            relative = Path("raw") / sha256[:2] / f"{sha256}{safe_suffix(source.name)}"
            target = self.home / relative
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_suffix(".part")
                temporary.write_bytes(data)
                os.chmod(temporary, 0o444)
                os.replace(temporary, target)
            received = datetime.fromtimestamp(source.stat().st_mtime, UTC).replace(microsecond=0)
            entry = ArchivedFile(sha256, report_month, source.name, len(data),
                                 received.isoformat(), str(relative))
            with self.manifest.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            return entry
