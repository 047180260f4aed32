"""A month's dbt build in a warm worker process while `yuebao run` starts up on the other core.

Why: a small month is mostly frameworks starting, one after the other on one core while the
machine's second core idles — Airflow and the DAG file (≈ 1.4 s), dbt's import and parse (≈ 2.4 s),
`import great_expectations` (≈ 2.5 s). While the in-process runner (`yuebao.inprocess`) serves a
month (`serving`), the worker imports dbt as this process imports Airflow and prepares, and
parses the project (`yuebao.transform.warm_up`) as this process ingests; the build then runs in
the worker, and this process imports what the quality gate and publication need (`READ_AHEAD`)
while it waits. A backfill's months reuse the worker, and this process reads the next month's
files while the worker builds (``serving``'s ``while_waiting``, ``ingestion.read_ahead``).

What stays as it was:
- the steps are the same functions (`yuebao.steps`), which say which of their work a worker runs
  (`in_worker`); outside `serving` — the scheduler's task processes, `dag.test()`, a test calling a
  step — that work runs in the calling process;
- the worker writes to the run's log, on screen too with --verbose (`yuebao.run_log`), and sees
  the caller's environment and working folder at each call;
- an exception in the worker is raised here as it was there (same type and message: the failure
  line and the exit code do not change), with the worker's traceback in the log;
- one step at a time: the DuckDB build file is never open in two processes (the build closes it
  before returning, as it did for the next step of the same process); what this process does
  meanwhile touches other files (a backfill checks the month before in its own checked build:
  `yuebao.runner.run_months`);
- the worker ignores Ctrl-C (this process decides: `serving` stops it on an interrupt) and is
  killed with this process if that one dies (Linux's parent-death signal); it holds no lock and
  inherits no descriptor: the home's lock stays this process's.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from yuebao.month_run import MonthRun
from yuebao.run_log import output_to
from yuebao.settings import Settings

log = logging.getLogger(__name__)
Result = TypeVar("Result")

# Imported by this process while a worker runs a step: what the quality gate and publication
# import first thing (≈ 2.5 s of them Great Expectations). A name that is gone costs nothing.
READ_AHEAD = ("great_expectations", "expectations.gate", "expectations.waivers", "publication.dq",
              "publication.outputs", "publication.bulletin.writer")

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class CallContext:
    """What a call in a worker sees as its caller does: the run's log, environment and folder."""

    log_file: Path
    quiet: bool
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: str = field(default_factory=os.getcwd)

    @contextlib.contextmanager
    def applied(self) -> Iterator[None]:
        saved_environ, saved_cwd = dict(os.environ), os.getcwd()
        os.environ.clear()
        os.environ.update(self.environ)
        try:
            os.chdir(self.cwd)
            with output_to(self.log_file, self.quiet):
                yield
        finally:
            os.environ.clear()
            os.environ.update(saved_environ)
            with contextlib.suppress(OSError):
                os.chdir(saved_cwd)


def _worker_started(parent: int) -> None:
    """A worker's initializer: Ctrl-C is its parent's to handle, and it dies with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


class _ForeignError(Exception):
    """Stands for an exception that cannot cross processes; rebuilt with its type's name here."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(name, message)
        self.name, self.message = name, message

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (self.name, self.message)


def _rebuilt(name: str, message: str) -> Exception:
    return type(name, (RuntimeError,), {"__module__": "yuebao.step_workers"})(message)


def _portable(error: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return _ForeignError(type(error).__name__, str(error))
    return error


def _call(function: Callable[..., Result], args: tuple[Any, ...], context: CallContext) -> Result:
    """Runs in the worker: ``function(*args)`` as its caller would have run it."""
    from yuebao.steps import release_arrow_memory

    with context.applied():
        try:
            return function(*args)
        except BaseException as error:
            portable = _portable(error)
            if portable is error:
                raise
            raise portable from error  # the traceback of the original goes to the caller's log
        finally:
            release_arrow_memory()


class Worker:
    """One warm process (a ProcessPoolExecutor of one) that runs what it is given, one at a time."""

    def __init__(self, name: str, warm_up: Callable[[MonthRun, Settings], None],
                 after_prepare: Callable[[MonthRun, Settings], None] | None = None) -> None:
        self.name = name
        self.warm_up = warm_up  # as the run starts
        self.after_prepare = after_prepare  # once the run's build folders are made
        self._executor: ProcessPoolExecutor | None = None

    def submit(self, function: Callable[..., Result], *args: Any, context: CallContext) -> Future[Result]:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(1, mp_context=get_context("spawn"),
                                                 initializer=_worker_started, initargs=(os.getpid(),))
        try:
            return self._executor.submit(_call, function, args, context)
        except BrokenProcessPool:  # died since its last call (killed, out of memory): a fresh one
            self.stop()
            return self.submit(function, *args, context=context)

    def stop(self, now: bool = False) -> None:
        """End the worker when its work is done, or ``now`` whatever it is doing (an interrupt).

        Only an orderly end releases what it registered with multiprocessing's resource tracker
        (dbt's locks); a killed worker leaves the tracker a warning to print.
        """
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if now:  # ProcessPoolExecutor cannot kill its workers before Python 3.14 (terminate_workers)
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                process.kill()
        executor.shutdown(wait=True, cancel_futures=True)


def import_dbt(run: MonthRun, settings: Settings) -> None:
    """dbt imported, as soon as the run starts."""
    importlib.import_module("dbt.cli.main")
    freeze_imports()


def freeze_imports() -> None:
    """Leave what is alive now — the frameworks this process imported — out of Python's garbage
    collections from now on (`gc.freeze`), once per process.

    A full collection walks every object alive: with Airflow, dbt and GX imported, 0.2 s each in
    the main process, whose six months of a backfill ran 16 of them (3.5 s of its 61 s of CPU;
    docs/benchmarks.md, eighth part). Module objects live as long as the process anyway. What is
    frozen is never collected, even once it is garbage: garbage is collected first, and what the
    run holds at that moment (its DAG, its step results) stays once per process, never again.
    """
    if gc.get_freeze_count():  # frozen already: by an earlier call, or in the parent it was forked from
        return
    gc.collect()
    gc.freeze()


def parse_dbt(run: MonthRun, settings: Settings) -> None:
    """The project parsed for ``run`` (`yuebao.transform.warm_up`, kept for the build), once the
    prepare step has made the build folder dbt logs into: never while prepare empties it."""
    from yuebao.transform import warm_up

    warm_up(run, settings)


WORKERS = {"dbt": Worker("dbt", import_dbt, after_prepare=parse_dbt)}


WhileWaiting = Callable[[Callable[[], bool]], object]
"""Work for this process while a worker runs a step, given a ``stop`` to ask whether the step is done."""


@dataclass
class _Serving:
    log_file: Path
    quiet: bool
    while_waiting: WhileWaiting | None = None  # done once, during the first step a worker runs
    interrupted: bool = False  # a Ctrl-C came, even if its KeyboardInterrupt was lost (`_catch_interrupts`)


_serving: _Serving | None = None


@contextlib.contextmanager
def serving(run: MonthRun, settings: Settings, quiet: bool,
            while_waiting: WhileWaiting | None = None) -> Iterator[None]:
    """For the block, `in_worker` runs its work in the warm workers, started (or reused) and
    warmed up for ``run`` now; an interrupt (Ctrl-C) stops them. ``while_waiting`` is done by
    this process while the first such work runs (a backfill reads its next month's files)."""
    global _serving
    for worker in WORKERS.values():
        worker.submit(_warm_up, worker.name, worker.warm_up, run, settings,
                      context=CallContext(run.log_staging_file, quiet))
    _serving = serving_now = _Serving(run.log_staging_file, quiet, while_waiting)
    previous = _catch_interrupts(serving_now)
    try:
        yield
        if serving_now.interrupted:  # its KeyboardInterrupt was lost on the way: the run still stops
            raise KeyboardInterrupt
    except BaseException as error:
        if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit: no worker outlives it
            stop(now=True)
        raise
    finally:
        _serving = None
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _catch_interrupts(serving_now: _Serving) -> Any:
    """Note every Ctrl-C before raising KeyboardInterrupt as Python does: one that lands inside a
    callback whose exceptions Python ignores (importlib's module-lock weakref callback, during the
    imports `_read_ahead` does) is lost, and the run would wait for its worker as if none came.
    Returns the handler to restore (None off the main thread, where no handler can be set)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def on_interrupt(signum: int, frame: Any) -> None:
        serving_now.interrupted = True
        signal.default_int_handler(signum, frame)

    return signal.signal(signal.SIGINT, on_interrupt)


def prepared(run: MonthRun, settings: Settings) -> None:
    """The prepare step made ``run``'s build folders: the workers warm up further (while ingest runs)."""
    if _serving is None:
        return
    for worker in WORKERS.values():
        if worker.after_prepare is not None:
            worker.submit(_warm_up, worker.name, worker.after_prepare, run, settings,
                          context=CallContext(_serving.log_file, _serving.quiet))


def _warm_up(name: str, warm_up: Callable[[MonthRun, Settings], None], run: MonthRun, settings: Settings) -> None:
    """The warm-up never fails a run: the step that needs what failed here says why."""
    try:
        warm_up(run, settings)
    except Exception:
        log.warning("warming up the %s worker failed; its step will tell why", name, exc_info=True)


def in_worker(name: str, work: Callable[[MonthRun, Settings], Result], run: MonthRun,
              settings: Settings) -> Result:
    """``work(run, settings)`` in the warm worker ``name`` while `serving`, else in this process."""
    if _serving is None:
        return work(run, settings)
    future = WORKERS[name].submit(work, run, settings, context=CallContext(_serving.log_file, _serving.quiet))
    _read_ahead(future)
    while_waiting, _serving.while_waiting = _serving.while_waiting, None
    if while_waiting is not None:
        try:
            while_waiting(future.done)
        except Exception:  # never fails the step: a head start, or another month's work that keeps its own outcome
            log.warning("work done while waiting for the %s worker failed", name, exc_info=True)
    while True:  # in slices, so a Ctrl-C whose KeyboardInterrupt was lost still ends the wait
        try:
            return future.result(timeout=0.2)
        except TimeoutError:
            if future.done():  # the work's own TimeoutError
                raise
            if _serving is not None and _serving.interrupted:
                raise KeyboardInterrupt from None


def _read_ahead(future: Future[Any]) -> None:
    """Import `READ_AHEAD` here until ``future`` is done (at most one import late); with all of
    them imported, leave them out of the garbage collections (`freeze_imports`)."""
    for module in READ_AHEAD:
        if future.done():
            return
        try:
            importlib.import_module(module)
        except ImportError:
            log.debug("nothing to read ahead in %s", module)
    if not future.done():
        freeze_imports()


def stop(now: bool = False) -> None:
    """End every worker: when `yuebao run` is done with them, or ``now`` on an interrupt."""
    for worker in WORKERS.values():
        worker.stop(now)
