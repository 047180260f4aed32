"""A yuebao home: recognisably ours, written by one run at a time, and cleaned only where we wrote.

- **Marker.** ``<home>/.yuebao-home`` (JSON: version, creation time) is written when yuebao creates
  a home or adopts an empty folder (or a home an earlier yuebao made, build folders included:
  `_KNOWN_ENTRIES`). yuebao refuses to write into a non-empty folder without it
  (`NotAHome`), so ``--home ~/Documents`` never has its ``build/`` emptied.
- **Lock.** ``home_lock(home, purpose)`` holds ``fcntl.flock`` on ``<home>/.yuebao-lock`` for the
  whole of a run, backfill, bulletin or waiver (and the portal's writes). The kernel releases it
  when the process dies, so a killed run never leaves a stale lock. The file records the holder
  (purpose, pid, start time, command) so a refusal (`HomeBusy`) can name it. Child processes of
  the holder (a backfill's chunks) run under the parent's lock (`LOCK_HELD_ENV`) and keep it
  held if the parent dies first (`held_lock_descriptors`). Nested use in one process is a no-op.
- **Build folders.** A run empties only folders carrying ``.yuebao-build`` (written when yuebao
  made them); a folder without it is the user's, and the run stops instead of deleting it.
- **Post-condition of publish.** `assert_month_published` checks that the warehouse just
  published holds the month's rows; a run never says "published M" otherwise.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MARKER = ".yuebao-home"
LOCK_FILE = ".yuebao-lock"
BUILD_MARKER = ".yuebao-build"
MARKER_VERSION = 1
# Set for child processes by a lock holder: "<home>:<holder pid>"; such a child does not lock again.
LOCK_HELD_ENV = "YUEBAO_HOME_LOCK_HELD"
EXIT_BUSY = 4
# A holder that died (killed) leaves the lock to the child processes it passed it to, which die
# with it (a killed process group) or finish their month: how long a newcomer waits for them.
ORPHAN_GRACE_SECONDS = 30.0
_HELD: dict[Path, int] = {}  # home → descriptor of its lock file, while this process holds it
# What a build folder may hold before its marker exists: a run that failed in `prepare` (cli_status).
_UNMARKED_OK = frozenset({"failure.txt"})
# What a home made by an earlier yuebao (before the marker) holds at its top level; such a folder
# is adopted when it also has a published warehouse or a raw archive.
# The office's 报/送 lines for the bulletin, set in the portal's admin page (absent: the packaged default).
DISTRIBUTION_FILE = "distribution.txt"
_KNOWN_ENTRIES = frozenset({
    "portal", "approvals.jsonl", DISTRIBUTION_FILE, "inbox",  # the demo keeps its inbox in its home
    "warehouse.duckdb", "raw", "build", "publish", "airflow", "dbt_target", "dbt_reference_project",
    "waivers.jsonl", "backfill.json", "backfill.tmp", "outbox", "reminders.jsonl", LOCK_FILE,
})


class NotAHome(ValueError):
    """``--home`` is a file, or a non-empty folder yuebao did not create."""


class NotOurs(RuntimeError):
    """A folder yuebao would empty was not created by yuebao."""


class MonthNotPublished(RuntimeError):
    """Publication finished but the published warehouse does not hold the month."""


@dataclass(frozen=True)
class Holder:
    """Who holds a home's lock."""

    purpose: str
    pid: int
    started_at: str  # ISO 8601 UTC
    command: str

    def describe(self) -> str:
        return f"{self.purpose} (pid {self.pid}, started {self.started_at})"


class HomeBusy(RuntimeError):
    """Another process holds the home's lock; the message names it."""

    def __init__(self, home: Path, holder: Holder | None) -> None:
        who = holder.describe() if holder else "another yuebao process"
        state = "is running" if holder is None or _alive(holder.pid) else "was stopped, but processes it started still run"
        super().__init__(f"home {home} is busy: {who} {state}; try again later or pass --wait")
        self.holder = holder


def is_home(home: Path) -> bool:
    return (home / MARKER).is_file()


def _is_legacy_home(home: Path) -> bool:
    names = {entry.name for entry in home.iterdir()}
    return names <= _KNOWN_ENTRIES and bool(names & {"warehouse.duckdb", "raw"})


def check_home(home: Path, must_exist: bool = False) -> Path:
    """Refuse a ``--home`` yuebao may not write into (without writing anything); returns it resolved."""
    home = Path(home)
    if home.exists() and not home.is_dir():
        raise NotAHome(f"--home {home} is a file, not a folder")
    if not home.exists():
        if must_exist:
            raise NotAHome(f"--home {home} does not exist")
        return home.resolve()
    if not is_home(home) and any(home.iterdir()) and not _is_legacy_home(home):
        raise NotAHome(f"--home {home} is a non-empty folder that is not a yuebao home "
                       f"(no {MARKER}); give an empty or new folder")
    if must_exist and not is_home(home) and not _is_legacy_home(home):
        raise NotAHome(f"--home {home} is not a yuebao home (no {MARKER})")
    return home.resolve()


def ensure_home(home: Path) -> Path:
    """Create the home (or adopt an empty folder, or a pre-marker yuebao home) and mark it ours."""
    home = check_home(home)
    home.mkdir(parents=True, exist_ok=True)
    marker = home / MARKER
    if not marker.exists() and _is_legacy_home(home):  # its build folders are an earlier yuebao's
        for folder in (home / "build").glob("*"):
            if folder.is_dir() and not folder.is_symlink():
                (folder / BUILD_MARKER).write_text(json.dumps({"adopted_at": _now()}) + "\n", encoding="utf-8")
    if not marker.exists():
        record = {"yuebao_home": MARKER_VERSION, "created_at": _now()}
        temporary = marker.with_name(f"{MARKER}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record) + "\n", encoding="utf-8")
        os.replace(temporary, marker)
    return home


# The lock ---------------------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def read_holder(home: Path) -> Holder | None:
    """The holder recorded in the lock file (None when unreadable: being written, or never locked)."""
    try:
        record = json.loads((Path(home) / LOCK_FILE).read_text(encoding="utf-8"))
        return Holder(str(record["purpose"]), int(record["pid"]), str(record["started_at"]),
                      str(record.get("command", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _inherited(home: Path) -> bool:
    """True in a child process started by the lock's holder for this home (e.g. a backfill chunk)."""
    value = os.environ.get(LOCK_HELD_ENV, "")
    location, _, pid = value.rpartition(":")
    if not location or Path(location) != home or not pid.isdigit():
        return False
    holder = read_holder(home)
    return holder is not None and holder.pid == int(pid) == os.getppid()


@contextmanager
def home_lock(home: Path, purpose: str, wait: bool = False, on_wait: object = None) -> Iterator[Holder]:
    """Hold the home's lock for the block; raises HomeBusy at once if held, unless ``wait``.

    ``purpose`` names the work in refusals ("run 2024-10", "waive 2024-10", "portal upload").
    ``on_wait`` (a callable taking the holder) is called once when ``wait`` has to queue.
    Child processes started inside the block inherit it through ``LOCK_HELD_ENV``.
    """
    home = ensure_home(home)
    if home in _HELD or _inherited(home):  # nested in this process, or a child of the holder
        holder = read_holder(home)
        assert holder is not None
        yield holder
        return
    descriptor = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = _holder_when_busy(home)
            if wait:
                if callable(on_wait):
                    on_wait(holder)
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            elif holder is None or _alive(holder.pid) or not _acquired_within(descriptor, ORPHAN_GRACE_SECONDS):
                raise HomeBusy(home, holder) from None
        me = Holder(purpose, os.getpid(), _now(), " ".join(sys.argv) or sys.executable)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, (json.dumps(me.__dict__, ensure_ascii=False) + "\n").encode("utf-8"), 0)
        previous = os.environ.get(LOCK_HELD_ENV)
        os.environ[LOCK_HELD_ENV] = f"{home}:{os.getpid()}"
        _HELD[home] = descriptor
        try:
            yield me
        finally:
            _HELD.pop(home, None)
            if previous is None:
                os.environ.pop(LOCK_HELD_ENV, None)
            else:
                os.environ[LOCK_HELD_ENV] = previous
            os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)  # closing releases the flock


def held_lock_descriptors() -> tuple[int, ...]:
    """Descriptors of the locks this process holds: pass them to child processes
    (``subprocess.run(..., pass_fds=held_lock_descriptors())``) so the home stays locked while a
    child still works, even if this process dies first."""
    return tuple(_HELD.values())


def ensure_not_busy(home: Path) -> None:
    """Raise HomeBusy if another process holds the home (for steps run by the scheduler, which
    cannot hold one lock across task processes); a no-op inside the holder or its children."""
    home = Path(home).resolve()
    held = os.environ.get(LOCK_HELD_ENV, "")
    if held.rpartition(":")[0] == str(home) or not (home / LOCK_FILE).exists():
        return
    descriptor = os.open(home / LOCK_FILE, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES):
            raise HomeBusy(home, _holder_when_busy(home)) from None
        raise
    finally:
        os.close(descriptor)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _acquired_within(descriptor: int, seconds: float) -> bool:
    """Try the lock for ``seconds``: when its recorded holder is gone (killed), the processes it
    started are dying too and let go of the lock in a moment."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.1)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
    return False


def _holder_when_busy(home: Path) -> Holder | None:
    """The holder's record; it is written right after the lock is taken, so allow it a moment."""
    for _ in range(20):
        holder = read_holder(home)
        if holder is not None:
            return holder
        time.sleep(0.05)
    return None


# Build folders -----------------------------------------------------------------------------------

def _ours(folder: Path) -> bool:
    """A build folder yuebao made: marked, or holding only a failed run's one-line reason."""
    return (folder / BUILD_MARKER).is_file() or {entry.name for entry in folder.iterdir()} <= _UNMARKED_OK


def fresh_build_folder(folder: Path) -> Path:
    """Empty ``folder`` if yuebao made it (it has BUILD_MARKER), create and mark it; never delete
    a folder yuebao did not make (raises NotOurs)."""
    check_build_folders(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / BUILD_MARKER).write_text(json.dumps({"pid": os.getpid(), "created_at": _now()}) + "\n",
                                       encoding="utf-8")
    return folder


def check_build_folders(*folders: Path) -> None:
    """Before a run writes anything: refuse now if one of its build folders is not ours."""
    for folder in folders:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise NotOurs(f"{folder} is not a folder yuebao made; refusing to replace it")
        if folder.is_dir() and not _ours(folder):
            raise NotOurs(f"{folder} was not created by yuebao (no {BUILD_MARKER}); refusing to delete it")


# Post-condition of publish -------------------------------------------------------------------------

def month_rows(database: Path, month: str) -> dict[str, int]:
    """Rows of report month ``month`` in the tables that every published month writes."""
    import duckdb

    counts: dict[str, int] = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for table in ("landing.files", "main.fct_indicator_as_published"):
            found = con.execute(
                "select count(*) from information_schema.tables where table_schema || '.' || table_name = ?",
                [table]).fetchone()
            counts[table] = con.execute(f"select count(*) from {table} where report_month = ?",
                                        [f"{month}-01"]).fetchone()[0] if found and found[0] else 0  # type: ignore[index]
    return counts


def assert_month_published(published_db: Path, month: str, expected: dict[str, int]) -> None:
    """Raise MonthNotPublished unless the published warehouse holds the rows the build had for M."""
    found = month_rows(published_db, month) if published_db.is_file() else {}
    if not found.get("landing.files") or found != expected:
        raise MonthNotPublished(f"published warehouse {published_db} does not hold {month} as built "
                                f"(built {expected}, published {found or 'nothing'})")


def month_was_checked(gate_file: Path, publish_dir: Path) -> bool:
    """True when the month went through the quality gate in this home (its problems were seen)."""
    return gate_file.is_file() or (publish_dir / "dq" / "index.html").is_file()
