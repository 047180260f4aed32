"""The warm worker of `yuebao run` (`yuebao.step_workers`) runs a step's work as this process
would: into the run's log, with the caller's environment, raising the same exceptions; it is
reused from month to month and never outlives the process that started it.

The worker here warms up nothing (importing dbt is not what is tested); the work is small
functions of this module, which the worker imports as it imports `yuebao.steps`.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT
from yuebao import step_workers
from yuebao.month_run import MonthRun
from yuebao.settings import Settings
from yuebao.transform import DbtBuildFailed


def month_run(tmp_path: Path) -> MonthRun:
    run = MonthRun("2024-10", tmp_path / "inbox", tmp_path / "home")
    run.log_staging_file.parent.mkdir(parents=True, exist_ok=True)
    return run


def no_warm_up(run: MonthRun, settings: Settings) -> None:
    pass


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[step_workers.Worker]:
    light = step_workers.Worker("dbt", no_warm_up)
    monkeypatch.setitem(step_workers.WORKERS, "dbt", light)
    yield light
    light.stop()


def where_and_what(run: MonthRun, settings: Settings) -> dict[str, object]:
    print(f"printed by the work for {run.month}")
    logging.getLogger("tests.work").info("logged by the work")
    return {"pid": os.getpid(), "mark": os.environ.get("YUEBAO_TEST_MARK"), "cwd": os.getcwd()}


def failed_build(run: MonthRun, settings: Settings) -> None:
    raise DbtBuildFailed("dbt build failed (1 node(s)): fct_indicator_monthly: boom")


class TwoPartError(Exception):
    """Cannot be rebuilt from its args (as some libraries' exceptions): cannot cross processes."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(f"{what}: {why}")


def failed_oddly(run: MonthRun, settings: Settings) -> None:
    raise TwoPartError("adapter", "gone")


def test_the_work_runs_in_the_warm_worker_only_while_serving(
        tmp_path: Path, worker: step_workers.Worker, monkeypatch: pytest.MonkeyPatch) -> None:
    run = month_run(tmp_path)
    monkeypatch.setenv("YUEBAO_TEST_MARK", "first")
    assert step_workers.in_worker("dbt", where_and_what, run, Settings())["pid"] == os.getpid()
    with step_workers.serving(run, Settings(), quiet=True):
        first = step_workers.in_worker("dbt", where_and_what, run, Settings())
    monkeypatch.setenv("YUEBAO_TEST_MARK", "second")
    monkeypatch.chdir(tmp_path)
    with step_workers.serving(run, Settings(), quiet=True):  # the next month of a backfill
        second = step_workers.in_worker("dbt", where_and_what, run, Settings())
    assert first["pid"] == second["pid"] != os.getpid()  # one worker, started once, reused
    assert (first["mark"], second["mark"]) == ("first", "second")  # the caller's environment, each call
    assert second["cwd"] == str(tmp_path)
    log = run.log_staging_file.read_text(encoding="utf-8")
    assert log.count("printed by the work for 2024-10") == 2 and log.count("logged by the work") == 2


def test_an_exception_in_the_worker_is_raised_here_as_it_was_there(
        tmp_path: Path, worker: step_workers.Worker) -> None:
    run = month_run(tmp_path)
    with step_workers.serving(run, Settings(), quiet=True):
        with pytest.raises(DbtBuildFailed) as failed:
            step_workers.in_worker("dbt", failed_build, run, Settings())
        with pytest.raises(Exception) as odd:
            step_workers.in_worker("dbt", failed_oddly, run, Settings())
        still = step_workers.in_worker("dbt", where_and_what, run, Settings())  # the worker survived both
    assert str(failed.value) == "dbt build failed (1 node(s)): fct_indicator_monthly: boom"
    # what the failure line of `yuebao run` is made of (yuebao.cli_status.record_failure)
    assert (type(odd.value).__name__, str(odd.value)) == ("TwoPartError", "adapter: gone")
    assert still["pid"] != os.getpid()


def leaves_a_mark(run: MonthRun, settings: Settings) -> None:
    (run.home / "parsed").write_text(str(run.build_dir.is_dir()), encoding="utf-8")


def test_dbt_parses_only_once_prepare_made_the_build_folder_it_logs_into(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing while prepare empties the build folder would race it (dbt logs into build_dir)."""
    light = step_workers.Worker("dbt", no_warm_up, after_prepare=leaves_a_mark)
    monkeypatch.setitem(step_workers.WORKERS, "dbt", light)
    run = month_run(tmp_path)
    try:
        with step_workers.serving(run, Settings(), quiet=True):
            step_workers.in_worker("dbt", where_and_what, run, Settings())  # after the start's warm-up
            assert not (run.home / "parsed").exists()
            run.build_dir.mkdir(parents=True)  # what prepare does, then it tells the workers
            step_workers.prepared(run, Settings())
            step_workers.in_worker("dbt", where_and_what, run, Settings())
        assert (run.home / "parsed").read_text(encoding="utf-8") == "True"
        step_workers.prepared(run, Settings())  # outside `yuebao run`: nothing to warm
    finally:
        light.stop()


def says_where_then_sleeps(run: MonthRun, settings: Settings) -> None:
    (run.home / "worker.pid").write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(120)


KILLED_WHILE_WORKING = """
import sys
from pathlib import Path
from tests.test_step_workers import month_run, no_warm_up, says_where_then_sleeps
from yuebao import step_workers
from yuebao.settings import Settings

step_workers.WORKERS["dbt"] = step_workers.Worker("dbt", no_warm_up)
run = month_run(Path(sys.argv[1]))
with step_workers.serving(run, Settings(), quiet=True):
    step_workers.in_worker("dbt", says_where_then_sleeps, run, Settings())
"""


def gone(pid: int, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["killed", "interrupted"])
def test_no_worker_outlives_the_run(tmp_path: Path, how: signal.Signals) -> None:
    pid_file = month_run(tmp_path).home / "worker.pid"
    output = tmp_path / "output.txt"
    with output.open("w") as sink:  # not a pipe: an orphan holding it would block reading it
        parent = subprocess.Popen([sys.executable, "-c", KILLED_WHILE_WORKING, str(tmp_path)], cwd=ROOT,
                                  stdout=sink, stderr=subprocess.STDOUT)
    worker_pid = None
    try:
        deadline = time.monotonic() + 120
        while not pid_file.exists() or not pid_file.read_text():
            assert parent.poll() is None and time.monotonic() < deadline, output.read_text()
            time.sleep(0.1)
        worker_pid = int(pid_file.read_text())
        parent.send_signal(how)
        parent.wait(timeout=60)
        assert gone(worker_pid), f"worker {worker_pid} outlived its run"
    finally:
        parent.kill()
        parent.wait()
        if worker_pid is not None and not gone(worker_pid, within=0):
            psutil.Process(worker_pid).kill()


INTERRUPT_LOST_IN_A_CALLBACK = """
import gc, os, signal, sys, time, weakref
from pathlib import Path
from tests.test_step_workers import month_run, no_warm_up, says_where_then_sleeps
from yuebao import step_workers
from yuebao.settings import Settings

class Thing:
    pass

def ctrl_c_inside_a_callback(done):
    # Python ignores exceptions raised in a weakref callback: the Ctrl-C's KeyboardInterrupt is
    # printed as 'Exception ignored' and lost, as when it lands in importlib's module-lock callback
    pid_file = Path(sys.argv[1]) / "home" / "worker.pid"
    while not pid_file.exists() or not pid_file.read_text():
        time.sleep(0.05)
    def callback(reference):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)  # the handler runs here, inside the callback
    thing = Thing()
    watcher = weakref.ref(thing, callback)
    del thing
    gc.collect()

step_workers.WORKERS["dbt"] = step_workers.Worker("dbt", no_warm_up)
run = month_run(Path(sys.argv[1]))
with step_workers.serving(run, Settings(), quiet=True, while_waiting=ctrl_c_inside_a_callback):
    step_workers.in_worker("dbt", says_where_then_sleeps, run, Settings())
print("the run went on after a Ctrl-C")
"""


def test_a_ctrl_c_whose_keyboard_interrupt_was_lost_still_stops_the_run(tmp_path: Path) -> None:
    output = tmp_path / "output.txt"
    with output.open("w") as sink:
        parent = subprocess.Popen([sys.executable, "-c", INTERRUPT_LOST_IN_A_CALLBACK, str(tmp_path)], cwd=ROOT,
                                  stdout=sink, stderr=subprocess.STDOUT)
    try:
        parent.wait(timeout=60)  # the worker sleeps 120 s: waiting for it would time out
        said = output.read_text()
        assert "Exception ignored" in said and "KeyboardInterrupt" in said, said  # it was lost on the way
        assert "the run went on" not in said and parent.returncode != 0, said
        worker_pid = int((month_run(tmp_path).home / "worker.pid").read_text())
        assert gone(worker_pid), f"worker {worker_pid} outlived its run"
    finally:
        parent.kill()
        parent.wait()
