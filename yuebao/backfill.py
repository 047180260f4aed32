"""Loading a range of report months in order, resumable after an interruption.

Every month goes through the same DAG as `yuebao run`, many months in one process so Airflow, dbt
and Great Expectations are imported and started once per process. By default a month's quality
gate and publication run while the next month's dbt builds on the other core (`overlapped`,
``yuebao.runner.run_months``); ``overlap=False`` loads one month after the other.
A process's memory stays flat from month to month (120 province months in one process: at most
1.3 GB for the process and its dbt worker, no growth; docs/benchmarks.md), so all months run in
one process by default; ``months_per_process`` > 0 runs them in chunks, each in a fresh child
process (each restart costs ≈ 5 s: imports, dbt's parse, a month checked without overlap).
``<home>/backfill.json`` records each completed month with the version of the warehouse file it
published (size, modification time and inode: every publication replaces the file, so a version
names one publication; hashing the file instead cost time growing with the history).
On restart, the completed months are skipped up to the last one whose recorded version is the
warehouse's current one; from there on months are (re)loaded — a month's load is idempotent, so
redoing one that was published but not yet recorded is harmless.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from ingestion.report_month import ReportMonth
from yuebao.home import held_lock_descriptors
from yuebao.month_run import MonthRun

STATE_FILE = "backfill.json"

MonthLoader = Callable[[MonthRun, MonthRun | None], tuple[int, str]]
"""Loads one month: returns (exit code, one-line message), as `yuebao run` does. The second
argument is the month loaded after it (None for the last), which the loader may read ahead."""

MonthsLoader = Callable[[list[MonthRun]], Iterator[tuple[MonthRun, int, str]]]
"""Loads months in order: yields each month's run, exit code and message as the month ends, and
publishes nothing more once the caller stops at a month that is not published."""


class BackfillStopped(RuntimeError):
    def __init__(self, month: str, exit_code: int, message: str) -> None:
        super().__init__(f"{month}: {message}")
        self.month = month
        self.exit_code = exit_code


def month_range(first: str, last: str) -> list[str]:
    """Report months from ``first`` to ``last`` inclusive, YYYY-MM."""
    months = [str(month) for month in ReportMonth.range(first, last)]
    if not months:
        raise ValueError(f"--from {first} is after --to {last}")
    return months


def file_version(path: Path) -> str | None:
    """``size:mtime_ns:inode`` of the file, or None when it does not exist."""
    if not path.exists():
        return None
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"


@dataclass
class BackfillState:
    """Completed months, each with the published warehouse's version right after it."""

    path: Path
    completed: dict[str, dict[str, str]]

    @classmethod
    def load(cls, home: Path) -> BackfillState:
        path = home / STATE_FILE
        completed = json.loads(path.read_text(encoding="utf-8"))["completed"] if path.exists() else {}
        return cls(path, completed)

    def record(self, month: str, warehouse: str) -> None:
        self.completed[month] = {"warehouse": warehouse,
                                 "completed_at": datetime.now(UTC).isoformat(timespec="seconds")}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"completed": self.completed}, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)  # a kill never leaves a half-written state file

    def resume_index(self, months: list[str], warehouse: str | None) -> int:
        """How many leading months are done and verified by the current warehouse's version."""
        done = 0
        for index, month in enumerate(months):
            entry = self.completed.get(month)
            if entry is None:
                break
            if entry.get("warehouse") == warehouse:
                done = index + 1
        return done


def load_in_process(run: MonthRun, following: MonthRun | None = None) -> tuple[int, str]:
    """`yuebao run` of ``run`` in this process; the ``following`` month's files are read while
    dbt builds this one (`yuebao.runner.run_month`'s ``read_ahead``)."""
    from yuebao.runner import run_month

    outcome = run_month(run, read_ahead=following)
    return outcome.exit_code, outcome.message


def load_in_subprocess(run: MonthRun, following: MonthRun | None = None) -> tuple[int, str]:
    """`yuebao run` in a fresh process per month (pays the frameworks' start-up every month; reads
    nothing ahead)."""
    command = [sys.executable, "-m", "yuebao.cli", "run", "--month", run.month,
               "--inbox", str(run.inbox), "--home", str(run.home), "--target", run.target]
    if run.reference:
        command += ["--reference", str(run.reference)]
    if not run.documents:
        command.append("--no-documents")
    completed = subprocess.run(command, capture_output=True, text=True, check=False,
                               pass_fds=held_lock_descriptors())  # the child works under our lock
    lines = (completed.stdout + completed.stderr).strip().splitlines()
    return completed.returncode, lines[-1] if lines else ""


def one_at_a_time(load: MonthLoader) -> MonthsLoader:
    """Months loaded by ``load``, each after the one before has ended."""
    def months(runs: list[MonthRun]) -> Iterator[tuple[MonthRun, int, str]]:
        for run, following in zip(runs, [*runs[1:], None], strict=True):
            yield run, *load(run, following)
    return months


def overlapped(runs: list[MonthRun]) -> Iterator[tuple[MonthRun, int, str]]:
    """Months loaded in this process, each checked and published while the next one builds."""
    from yuebao.runner import run_months

    for run, outcome in run_months(runs):
        yield run, outcome.exit_code, outcome.message


def backfill_chunk_in_subprocess(template: MonthRun, months: list[str], documents: str = "last",
                                 overlap: bool = True) -> tuple[int, str]:
    """`yuebao backfill` of ``months`` in a child process (it records them in the same state)."""
    command = [sys.executable, "-m", "yuebao.cli", "backfill", "--from", months[0], "--to", months[-1],
               "--inbox", str(template.inbox), "--home", str(template.home), "--target", template.target,
               "--months-per-process", "0", "--no-progress", "--documents", documents]
    if not overlap:
        command.append("--no-overlap")
    if template.reference:
        command += ["--reference", str(template.reference)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False,
                               pass_fds=held_lock_descriptors())  # the child works under our lock
    lines = (completed.stdout + completed.stderr).strip().splitlines()
    return completed.returncode, lines[-1] if lines else ""


def with_documents(months: list[str], documents: str) -> set[str]:
    """The months whose documents are rendered: ``all``, the ``last`` one, or ``none``."""
    return {"all": set(months), "last": set(months[-1:]), "none": set()}[documents]


def chunk_documents(chunk: list[str], rendered: set[str]) -> str:
    """The ``--documents`` of a child process loading ``chunk``, from the months to render."""
    return "all" if set(chunk) <= rendered else "last" if chunk[-1] in rendered else "none"


def backfill(template: MonthRun, months: list[str], load: MonthsLoader | None = None,
             progress: bool = True, months_per_process: int = 0, documents: str = "last",
             overlap: bool = True) -> list[str]:
    """Load ``months`` in order into ``template.home``; returns the months loaded by this call.

    ``load`` defaults to `overlapped`, or with ``overlap`` off to `load_in_process` one month at a
    time. With ``months_per_process`` > 0, months are loaded by child processes, that many each.
    ``documents`` (see `with_documents`) saves a backfill the bulletin and Data Docs of months
    nobody will read them for, and the departments a mail for each.
    Raises BackfillStopped at the first month that is not published (the state keeps the ones
    before it, so the next call resumes there).
    """
    from tqdm import tqdm

    template.home.mkdir(parents=True, exist_ok=True)
    state = BackfillState.load(template.home)
    rendered = with_documents(months, documents)
    start = state.resume_index(months, file_version(template.published_db))
    loaded: list[str] = []
    with tqdm(total=len(months), initial=start, unit="month", disable=not progress,
              desc="backfill", file=sys.stderr) as bar:
        if months_per_process > 0:
            for first in range(start, len(months), months_per_process):
                chunk = months[first:first + months_per_process]
                bar.set_postfix_str(f"{chunk[0]}..{chunk[-1]}")
                exit_code, message = backfill_chunk_in_subprocess(template, chunk, chunk_documents(chunk, rendered),
                                                                  overlap)
                done = [month for month in chunk if month in BackfillState.load(template.home).completed]
                loaded += done
                bar.update(len(done))
                if exit_code != 0:
                    raise BackfillStopped(chunk[len(done)] if len(done) < len(chunk) else chunk[-1],
                                          exit_code, message.removeprefix("yuebao: "))
            return loaded
        if load is None:
            load = overlapped if overlap else one_at_a_time(load_in_process)
        runs = [replace(template, month=month, documents=month in rendered) for month in months[start:]]
        for run, exit_code, message in load(runs):
            month = run.month
            bar.set_postfix_str(month)
            if exit_code != 0:
                raise BackfillStopped(month, exit_code, message)
            warehouse = file_version(template.published_db)
            assert warehouse is not None, "a published month leaves a warehouse"
            state.record(month, warehouse)
            loaded.append(month)
            bar.update(1)
    return loaded
