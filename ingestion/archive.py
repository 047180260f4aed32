"""The immutable raw archive: every received file kept by checksum, with a manifest.

``<home>/raw/<sha256[:2]>/<sha256><suffix>`` holds the bytes (the path is built from the checksum
and a vetted suffix only, never from the received name); ``<home>/raw/manifest.jsonl`` has one
line per (report month, sha256): the original name (decoded: ``ingestion.names``), who sent it (as far as the name tells; the
file's own 报送单位 cells decide later), when it was received and when it was archived.
Archiving the same bytes again for the same month changes nothing, so any month can be rebuilt
from here.

Vintages: files of one report month with the same *submission key* are versions of one
submission, and the latest received is in force. The key is the sending department plus the file
name without its extension and without revision marks (``_修订``, ``(1)``, ``-副本``, ``v2`` …), so
``市商务局.xlsx``, ``市商务局_修订.xlsx`` and ``市商务局(1).csv`` from 市商务局 supersede each other.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from ingestion.inbox import open_regular
from ingestion.names import decode_file_name
from ingestion.text import normalize

_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Revision marks at the end of a file name (after the extension is removed), repeated.
_REVISION_MARK = re.compile(
    r"(?:[\s_\-—.]*(?:\(\d+\)|（\d+）|\[\d+\]|副本|修订版?|修改版|更正版?|更新版|最终版|终版|新版|重报|补报"
    r"|v\d+|ver\d+|final|rev\d*|copy))+$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArchivedFile:
    sha256: str
    report_month: str  # YYYY-MM
    original_name: str
    size_bytes: int
    received_at: str  # ISO 8601 UTC: when the file was last modified in the inbox (its submission time)
    archive_path: str  # relative to home
    submitted_by: str | None = None  # the department its name points to, if any
    archived_at: str | None = None  # ISO 8601 UTC: when this archive first stored it

    def path(self, home: Path) -> Path:
        """Where the bytes are, rebuilt from the checksum (a manifest line is never trusted as a path)."""
        if not _SHA256.match(self.sha256):
            raise ValueError(f"manifest entry with a malformed sha256: {self.sha256!r}")
        return home / "raw" / self.sha256[:2] / f"{self.sha256}{safe_suffix(self.original_name)}"

    @classmethod
    def from_json(cls, line: str) -> ArchivedFile:
        known = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in json.loads(line).items() if key in known})


def safe_suffix(name: str) -> str:
    """The file's extension, lower case, or '' when it is not a plain short extension."""
    suffix = Path(name).suffix.lower()
    return suffix if _SAFE_SUFFIX.match(suffix) else ""


def revision_stem(name: str) -> str:
    """The name a resubmission shares with the original: no extension, no revision marks."""
    stem = normalize(name)
    suffix = Path(stem).suffix
    if suffix and _SAFE_SUFFIX.match(suffix.lower()):
        stem = stem[: -len(suffix)]
    return _REVISION_MARK.sub("", stem).strip() or stem


def current_vintages(entries: Iterable[ArchivedFile], department_of: Callable[[ArchivedFile], str]) -> set[str]:
    """sha256 of the files in force: per (department, revision stem), the latest received."""
    latest: dict[tuple[str, str], ArchivedFile] = {}
    for entry in entries:
        key = (department_of(entry), revision_stem(entry.original_name))
        known = latest.get(key)
        if known is None or (entry.received_at, entry.sha256) > (known.received_at, known.sha256):
            latest[key] = entry
    return {entry.sha256 for entry in latest.values()}


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).replace(microsecond=0).isoformat()


class RawArchive:
    def __init__(self, home: Path) -> None:
        self.root = home / "raw"
        self.home = home
        self.manifest = self.root / "manifest.jsonl"
        self._read: list[ArchivedFile] = []  # the manifest's entries up to _offset, of the file _identity
        self._offset = 0
        self._identity: tuple[int, int] | None = None

    def entries(self) -> list[ArchivedFile]:
        """Every manifest entry, in order. The manifest only grows (`add` appends under the archive's
        lock), so this parses only what was appended since it last read the same file: a month's
        ingest asks once per file, and re-reading ten years of entries each time grew with history."""
        try:
            handle = self.manifest.open("rb")
        except FileNotFoundError:
            return []
        with handle:
            status = os.fstat(handle.fileno())
            if (status.st_dev, status.st_ino) != self._identity or status.st_size < self._offset:
                self._read, self._offset, self._identity = [], 0, (status.st_dev, status.st_ino)
            handle.seek(self._offset)
            appended = handle.read()
        complete = appended[: appended.rfind(b"\n") + 1]  # a line still being written is read next time
        self._read += [ArchivedFile.from_json(line) for line in complete.decode("utf-8").splitlines() if line.strip()]
        self._offset += len(complete)
        return list(self._read)

    def for_month(self, report_month: str) -> list[ArchivedFile]:
        return [entry for entry in self.entries() if entry.report_month == report_month]

    def add(self, source: Path, report_month: str, submitted_by: str | None = None) -> ArchivedFile:
        """Archive one inbox file, streamed (idempotent: the same bytes in a month give the same entry)."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = decode_file_name(source.name)
        sha256, size, staged, modified = self._stage(source)
        received = _utc(modified)
        try:
            with (self.root / ".lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                for entry in self.for_month(report_month):
                    if entry.sha256 == sha256:
                        return entry
                relative = Path("raw") / sha256[:2] / f"{sha256}{safe_suffix(name)}"
                target = self.home / relative
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.chmod(staged, 0o444)
                    os.replace(staged, target)
                entry = ArchivedFile(sha256, report_month, name, size, received, str(relative),
                                     submitted_by, _utc(datetime.now(UTC).timestamp()))
                with self.manifest.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
                return entry
        finally:
            Path(staged).unlink(missing_ok=True)

    def _stage(self, source: Path) -> tuple[str, int, str, float]:
        """Copy the file into the archive's folder while hashing it, in bounded memory; returns
        (sha256, size, staged path, modification time). Never follows a link or opens a FIFO."""
        digest = hashlib.sha256()
        size = 0
        descriptor = open_regular(source)
        modified = os.fstat(descriptor).st_mtime
        handle, staged = tempfile.mkstemp(dir=self.root, suffix=".part")
        with os.fdopen(handle, "wb") as target, os.fdopen(descriptor, "rb") as incoming:
            while chunk := incoming.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        return digest.hexdigest(), size, staged, modified

