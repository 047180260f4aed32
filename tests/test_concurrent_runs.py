"""Runs that meet in one home (issue 17, points 1 and 2): real `yuebao run` processes overlapped
with timing. The later one is refused in one line naming the earlier one (month, pid, start time)
or, with --wait, queues behind it; whoever says "published M" has M's rows in the warehouse; and
the warehouse ends as a serial run leaves it. Five month loads of a tiny synthetic inbox in all."""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import YUEBAO
from yuebao.home import EXIT_BUSY
from yuebao.month_run import MonthRun

pytestmark = pytest.mark.slow  # whole months through the DAG, in several processes

REFUSAL = re.compile(r"^yuebao: home .+ is busy: run (\d{4}-\d{2}) \(pid (\d+), started (\S+Z)\) is running;"
                     r" try again later or pass --wait$")


@dataclass
class Run:
    month: str
    process: subprocess.Popen[str]
    started: float
    ended: float | None = None
    stdout: str = ""
    stderr: str = ""

    def finish(self, timeout: float = 900) -> Run:
        self.stdout, self.stderr = self.process.communicate(timeout=timeout)
        self.ended = self.ended or time.monotonic()
        return self

    @property
    def code(self) -> int:
        assert self.process.returncode is not None
        return self.process.returncode


def start(inbox: Path, home: Path, month: str, airflow_home: Path, *extra: str) -> Run:
    env = os.environ | {"AIRFLOW_HOME": str(airflow_home)}
    command = [YUEBAO, "run", "--month", month, "--inbox", str(inbox), "--home", str(home),
               "--reference", str(inbox / "reference"), "--no-documents", *extra]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return Run(month, process, time.monotonic())


def published_months(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return dict(con.execute("select strftime(report_month, '%Y-%m'), count(*) from landing.files"
                                " group by all").fetchall())


def fact_rows(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select * from fct_indicator_monthly order by all").fetchall()


def assert_refused_by(probe: Run, holder: Run) -> None:
    """Refused at once, in one line naming the holder's month and pid, before touching the home."""
    assert probe.code == EXIT_BUSY, (probe.stdout, probe.stderr)
    lines = probe.stderr.strip().splitlines()
    assert len(lines) == 1, probe.stderr
    match = REFUSAL.match(lines[0])
    assert match, lines[0]
    assert (match[1], int(match[2])) == (holder.month, holder.process.pid)


def assert_published(run: Run, home: Path) -> None:
    assert run.code == 0, run.stderr[-3000:]
    assert f"published {run.month}" in run.stdout
    assert published_months(home).get(run.month, 0) > 0, f"said published {run.month}, but its rows are missing"


PROBES = 4


def steps_done(inbox: Path, home: Path, month: str) -> int:
    """How many steps the run of ``month`` has finished (a line each in its timings file)."""
    timings = MonthRun(month, inbox, home).timings_file
    return len(timings.read_text(encoding="utf-8").splitlines()) if timings.exists() else 0


def overlap(inbox: Path, home: Path, airflow_home: Path, first: str, others: list[str],
            probes_wanted: int = PROBES) -> tuple[Run, list[Run]]:
    """Start a run of ``first`` and try ``others`` in turn against it: once at its start, then each time
    it has finished another step, so that the probes meet it at different points of its life however
    fast the machine runs it."""
    holder = start(inbox, home, first, airflow_home)
    probes: list[Run] = []
    time.sleep(0.3)
    seen = -1
    while len(probes) < probes_wanted and holder.process.poll() is None:
        done = steps_done(inbox, home, first)
        if done == seen:
            time.sleep(0.05)
            continue
        seen = done
        probes.append(start(inbox, home, others[len(probes) % len(others)], airflow_home).finish(timeout=120))
    return holder.finish(), probes



@pytest.fixture(scope="module")
def serial_home(tmp_path_factory: pytest.TempPathFactory, synth_inbox: Path, airflow_home: Path) -> Path:
    """2024-01 with every other run refused at several delays, then 2024-02 after it: serial."""
    home = tmp_path_factory.mktemp("serial")
    holder, probes = overlap(synth_inbox, home, airflow_home, "2024-01", ["2024-02", "2024-01"])
    assert_published(holder, home)
    assert len(probes) >= 3, "the first run ended before it could be overlapped"
    for probe in probes:
        assert_refused_by(probe, holder)
    assert published_months(home).keys() == {"2024-01"}  # the refused runs changed nothing
    second = start(synth_inbox, home, "2024-02", airflow_home).finish()
    assert_published(second, home)
    return home


def test_a_later_run_is_refused_naming_the_earlier_one(serial_home: Path) -> None:
    assert published_months(serial_home).keys() == {"2024-01", "2024-02"}


def test_the_other_order_an_earlier_month_started_later_is_refused(tmp_path: Path, synth_inbox: Path,
                                                                   airflow_home: Path) -> None:
    holder, probes = overlap(synth_inbox, tmp_path, airflow_home, "2024-02", ["2024-01", "2024-02"])
    assert_published(holder, tmp_path)
    assert len(probes) >= 3, "the first run ended before it could be overlapped"
    for probe in probes:
        assert_refused_by(probe, holder)
    assert published_months(tmp_path).keys() == {"2024-02"}
    assert not list((tmp_path / "build").glob("2024-01"))  # a refused run did not touch the build folders


def test_staggered_runs_into_one_home_refuse_or_queue_and_end_as_a_serial_run(tmp_path: Path, synth_inbox: Path,
                                                                              airflow_home: Path,
                                                                              serial_home: Path) -> None:
    """Four runs of mixed months at staggered times: two queue (--wait) or lead, two are refused."""
    plan = [(0.0, "2024-01", ()), (1.5, "2024-02", ("--wait",)), (4.0, "2024-01", ()), (8.0, "2024-03", ())]
    began = time.monotonic()
    runs: list[Run] = []
    for delay, month, extra in plan:
        time.sleep(max(0.0, began + delay - time.monotonic()))
        runs.append(start(synth_inbox, tmp_path, month, airflow_home, *extra))
    pending = list(runs)
    while pending:  # note when each ends, to replay the published ones in that order
        for run in list(pending):
            if run.process.poll() is not None:
                run.ended = time.monotonic()
                pending.remove(run)
        time.sleep(0.2)
    for run in runs:
        run.finish()
    lead, queued, refused_same, refused_other = runs
    assert_published(lead, tmp_path)
    assert_published(queued, tmp_path)
    assert "waiting for run 2024-01" in queued.stderr
    assert queued.ended is not None and lead.ended is not None and queued.ended > lead.ended
    for refused in (refused_same, refused_other):
        assert refused.code == EXIT_BUSY, refused.stderr
        match = REFUSAL.match(refused.stderr.strip())
        assert match and match[1] in ("2024-01", "2024-02"), refused.stderr
    assert published_months(tmp_path).keys() == {"2024-01", "2024-02"}
    # published 2024-01 then 2024-02, as serial_home did one after the other: the same facts
    assert fact_rows(tmp_path) == fact_rows(serial_home)
    assert len(fact_rows(tmp_path)) > 0
