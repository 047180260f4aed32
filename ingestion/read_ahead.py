"""Reading a month's data files ahead, while the process only waits for another step.

A backfill loads month after month in one process; while dbt builds month N in its worker
(`yuebao.step_workers`), this process has nothing to do. It reads month N + 1's inbox files then,
and that month's ingest lands what was read instead of reading it again (``ingest_month``'s
``ready``). What a file lands depends only on its bytes, its name, the month and the department
directory, so a read is kept under exactly those (`landing_key`): a file replaced or renamed in
between is simply read again by the ingest, and the landing tables are the same either way.

Only small months are read ahead (a few MB of frames held until the next ingest); large months
have their own reading processes (``ingestion.file_pool``). Reading stops as soon as the step
being waited for is done (``stop``), at most one file late.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from ingestion.departments import DepartmentDirectory
from ingestion.file_pool import PARALLEL_MIN_BYTES
from ingestion.inbox import open_regular, scan_inbox
from ingestion.load import LandingKey, LandingRead, landing_key, read_for_landing_bytes, seed_digest
from ingestion.names import decode_file_name
from ingestion.narrative.reader import is_narrative
from ingestion.readers import MAX_FILE_BYTES

log = logging.getLogger(__name__)

_reads: dict[LandingKey, LandingRead] = {}
_month: tuple[Path, str] | None = None  # the inbox month folder the kept reads came from


def read_month_ahead(inbox: Path, report_month: str, departments_seed: Path, stop: Callable[[], bool]) -> int:
    """Read ``<inbox>/<report_month>/``'s data files until ``stop()``; returns how many were read.

    Never raises for what it reads: a file it cannot open or read is left to the ingest, which
    reports it as it always does."""
    global _month
    folder = inbox / report_month
    if _month != (folder, report_month):
        _reads.clear()
        _month = (folder, report_month)
    files = [path for path in scan_inbox(folder).files if not is_narrative(decode_file_name(path.name))]
    try:
        sizes = {path: path.stat().st_size for path in files}
    except OSError:
        return 0
    if sum(sizes.values()) >= PARALLEL_MIN_BYTES:
        return 0
    directory = DepartmentDirectory(departments_seed)
    digest = seed_digest(departments_seed)
    done = 0
    for path in files:
        if stop():
            break
        if sizes[path] > MAX_FILE_BYTES:
            continue
        try:
            descriptor = open_regular(path)
            with os.fdopen(descriptor, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            continue
        name = decode_file_name(path.name)
        key = landing_key(hashlib.sha256(data).hexdigest(), name, report_month, digest)
        if key not in _reads:
            try:
                _reads[key] = read_for_landing_bytes(data, name, report_month, directory)
            except Exception:  # the ingest reads it again and says what is wrong
                log.debug("reading %s ahead failed", path, exc_info=True)
                continue
        done += 1
    log.info("read %d of %d file(s) of %s ahead", done, len(files), report_month)
    return done


def ready_reads(inbox: Path, report_month: str) -> dict[LandingKey, LandingRead]:
    """The reads kept for ``<inbox>/<report_month>/``, handed over once (and forgotten here)."""
    global _month
    if _month != (inbox / report_month, report_month):
        return {}
    reads = dict(_reads)
    _reads.clear()
    _month = None
    return reads
