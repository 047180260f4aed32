"""The `yuebao` command: a thin shell over the library (argument parsing and exit codes)."""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
import threading
from typing import NoReturn

from yuebao.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yuebao", description="月报: monthly indicators warehouse")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"yuebao.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    return args.handler(args)


def entry() -> NoReturn:
    """The console script: ``main()``, then an exit that skips tearing the interpreter down.

    Freeing every object of Airflow, dbt, Great Expectations and pandas one by one costs about
    1 s of CPU at the end of every `yuebao run` (docs/benchmarks.md). The exit handlers still run
    (multiprocessing's finalizers stop workers and unlink their semaphores; logging flushes), and
    the ordinary exit is kept whenever a non-daemon thread is still alive, for Python to wait for it.
    """
    code = int(main() or 0)
    if any(thread.is_alive() and not thread.daemon for thread in threading.enumerate()
           if thread is not threading.main_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()  # noqa: SLF001 - what Py_Finalize would run first, kept as it is
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
