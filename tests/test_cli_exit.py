"""The console script's quick exit (yuebao.cli.entry) keeps what an ordinary exit guarantees."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent("""
    import concurrent.futures, multiprocessing, sys, threading
    from yuebao import cli

    def square(value):
        return value * value

    def fake_main():
        global pool  # left running, as a crashed step might: the exit handlers must stop it
        mode = sys.argv[1]
        pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        print("worker said", pool.submit(square, 7).result())  # buffered: stdout is a pipe
        if mode == "thread":
            threading.Thread(target=lambda: (__import__("time").sleep(0.5), print("thread done"))).start()
        print("last line", file=sys.stderr)
        return 3

    if __name__ == "__main__":
        cli.main = fake_main
        cli.entry()
""")


@pytest.fixture
def run(tmp_path: Path):  # noqa: ANN201 - returns the runner
    script = tmp_path / "entry_probe.py"  # a file: spawned workers import the caller's main module
    script.write_text(SCRIPT, encoding="utf-8")

    def run_script(mode: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True, timeout=120,
                              check=False)
    return run_script


def test_exit_code_and_buffered_output_survive_the_quick_exit(run) -> None:  # noqa: ANN001
    done = run("plain")
    assert done.returncode == 3
    assert done.stdout == "worker said 49\n"
    assert done.stderr.strip().splitlines()[-1] == "last line"
    assert "leaked" not in done.stderr  # multiprocessing's finalizers ran: no semaphore left behind


def test_a_live_thread_is_waited_for(run) -> None:  # noqa: ANN001
    done = run("thread")
    assert done.returncode == 3
    assert done.stdout.splitlines() == ["worker said 49", "thread done"]
