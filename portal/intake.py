"""Receiving one uploaded file: size limit, type by content, the portal's raw archive, the tier-1
checks, and an accepted file's place in the month's inbox folder.

The portal keeps every upload in its own raw archive (``<home>/portal/raw/``, the ingestion
package's ``RawArchive``: by SHA-256, immutable, with a manifest), so a rejected file is kept
without the month's build reading it; an accepted file is copied byte for byte into
``<inbox>/<month>/``, where the monthly DAG archives and loads it like any file dropped there.
The received name is only ever shown (escaped) and stored; paths come from the checksum or from
``safe_name``.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from ingestion.archive import RawArchive, safe_suffix
from portal import audit, checks
from portal.checks import TypeRefusal, UploadFinding
from portal.settings import PortalSettings
from portal.store.models import Account, Finding, Submission

# What each accepted extension must be inside.
EXPECTED_CONTENT = {".csv": "text", ".xlsx": "xlsx", ".docx": "docx", ".md": "text", ".txt": "text"}
_UNSAFE = re.compile(r"[^\w()（）\-]+")


class UploadTooLarge(Exception):
    pass


class WrongSender(Exception):
    def __init__(self, sender: str) -> None:
        super().__init__(sender)
        self.sender = sender


def spool(stream: BinaryIO, directory: Path, name: str, limit: int) -> Path:
    """Copy the upload to ``directory/name`` in chunks; over ``limit`` bytes raises UploadTooLarge."""
    target = directory / name
    size = 0
    with target.open("wb") as handle:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge(f"文件超过 {limit // (1024 * 1024)} MB 上限")
            handle.write(chunk)
    return target


def content_kind(path: Path) -> str:
    """What the bytes are: ``xlsx``, ``docx``, ``zip``, ``ole``, ``text`` or ``binary`` (the name is not read)."""
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:  # the central directory only; nothing is extracted
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "binary"
        return "xlsx" if "xl/workbook.xml" in names else "docx" if "word/document.xml" in names else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if b"\x00" in head:
        return "binary"
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return "text"
        except UnicodeDecodeError as error:
            if encoding == "utf-8" and error.start >= len(head) - 3:
                return "text"  # a character cut at the 64 KiB boundary
    return "binary"


def type_findings(path: Path, file_name: str) -> list[UploadFinding]:
    """A blocking finding when the name's type is not accepted or the content is something else."""
    suffix = safe_suffix(file_name)
    if suffix not in EXPECTED_CONTENT:
        return [UploadFinding("blocking", "unsupported_file_type",
                              f"不接受“{suffix or '无扩展名'}”文件：数据请报 .xlsx 或 .csv，文字材料请报 .docx、.md 或 .txt")]
    kind = content_kind(path)
    if kind != EXPECTED_CONTENT[suffix]:
        return [UploadFinding("blocking", "extension_mismatch",
                              f"文件扩展名为 {suffix}，内容却是 {kind}（按内容判断）")]
    return []


def safe_name(file_name: str, unit: str) -> str:
    """A one-component file name made from the received one: word characters only, the unit's name
    first (so the monthly build attributes it as before), the vetted extension."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", file_name)[-1])
    suffix = safe_suffix(base)
    stem = base[: -len(suffix)] if suffix else base
    stem = _UNSAFE.sub("_", stem).strip("_.")[:80]
    if unit not in stem:
        stem = f"{unit}_{stem}" if stem else unit
    return f"{stem}{suffix}"


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def place_in_inbox(source: Path, inbox_month: Path, name: str, lock_file: Path) -> str:
    """Copy ``source`` into the inbox folder under ``name`` (or ``name(2)``… when taken): written to a
    hidden temporary name, then renamed; no file already there is ever replaced."""
    inbox_month.mkdir(parents=True, exist_ok=True)
    suffix = safe_suffix(name)
    stem = name[: -len(suffix)] if suffix else name
    with _locked(lock_file):
        candidate, number = name, 1
        while os.path.lexists(inbox_month / candidate):
            number += 1
            candidate = f"{stem}({number}){suffix}"
        handle, temporary = tempfile.mkstemp(dir=inbox_month, prefix=".portal-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as target, source.open("rb") as incoming:
                shutil.copyfileobj(incoming, target)
            os.replace(temporary, inbox_month / candidate)
        finally:
            Path(temporary).unlink(missing_ok=True)
    return candidate


@dataclass(frozen=True)
class Upload:
    file_name: str  # as the browser sent it
    stream: BinaryIO


def receive(db: Session, settings: PortalSettings, account: Account, month: str, upload: Upload,
            ip: str | None = None) -> Submission:
    """Check, archive and (when accepted) deliver one upload; returns its receipt (a Submission row).

    Raises UploadTooLarge (nothing kept) or WrongSender (kept in the archive, no receipt)."""
    unit = account.unit
    file_name = upload.file_name[:255] or "未命名"
    workdir = settings.portal_dir / "uploads"
    workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        try:
            spooled = spool(upload.stream, Path(scratch), safe_name(file_name, unit), settings.max_upload_bytes)
        except UploadTooLarge:
            audit.record(db, "upload_too_large", account.username, ip=ip, target=month, detail=file_name)
            raise
        archived = RawArchive(settings.portal_dir).add(spooled, month, unit)
        findings = type_findings(spooled, file_name)
        check = (TypeRefusal(findings) if findings else
                 checks.check_upload(spooled, file_name, unit, month, settings.catalog_dir))
        if check.wrong_sender:
            audit.record(db, "upload_wrong_sender", account.username, ip=ip, target=month,
                         detail=f"{file_name} · 报送单位 {check.wrong_sender} · sha256 {archived.sha256}")
            raise WrongSender(check.wrong_sender)
        inbox_name = None
        if check.status != "rejected":
            inbox_name = place_in_inbox(spooled, settings.inbox / month, spooled.name,
                                        settings.portal_dir / "inbox.lock")
    submission = Submission(report_month=month, unit=unit, account_id=account.id, file_name=file_name,
                            sha256=archived.sha256, size_bytes=archived.size_bytes, received_at=datetime.now(UTC),
                            status=check.status, inbox_name=inbox_name)
    submission.findings = [Finding(position=index, severity=finding.severity, rule=finding.rule,
                                   sheet=finding.sheet, row=finding.row, column=finding.column,
                                   value=None if finding.value is None else str(finding.value),
                                   message=finding.message,
                                   hint=getattr(finding, "hint", "") or checks.hint_for(finding.rule))
                           for index, finding in enumerate(check.findings)]
    db.add(submission)
    db.flush()
    audit.record(db, "upload", account.username, ip=ip, target=f"submission {submission.id}",
                 detail=f"{month} · {file_name} · {check.status} · sha256 {archived.sha256}")
    return submission


def archived_path(settings: PortalSettings, submission: Submission) -> Path:
    """Where the portal's archive keeps a submission's bytes (rebuilt from its checksum, never its name)."""
    archive = RawArchive(settings.portal_dir)
    entry = next(entry for entry in archive.for_month(submission.report_month) if entry.sha256 == submission.sha256)
    return entry.path(settings.portal_dir)
