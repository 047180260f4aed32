"""The `yuebao` command: a thin shell over the library (argument parsing and exit codes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yuebao.month_run import InvalidMonth, MonthRun


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="yuebao", description="月报: monthly indicators warehouse")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="load one report month through the yuebao_monthly DAG")
    run.add_argument("--month", required=True, help="report month, YYYY-MM")
    run.add_argument("--inbox", required=True, type=Path, help="folder holding <YYYY-MM>/ with the exports")
    run.add_argument("--home", required=True, type=Path, help="warehouse home (published files go here)")
    run.add_argument("--target", choices=["duckdb", "postgres"], default="duckdb")
    run.add_argument("--verbose", action="store_true", help="show Airflow's task logs")
    return parser.parse_args(argv)


def command_run(args: argparse.Namespace) -> int:
    from yuebao.runner import run_month

    try:
        month_run = MonthRun(args.month, args.inbox.resolve(), args.home.resolve(), args.target)
    except (InvalidMonth, ValueError) as error:
        print(f"yuebao: {error}", file=sys.stderr)
        return 2
    if not (month_run.inbox / month_run.month).is_dir():
        print(f"yuebao: no inbox folder {month_run.inbox / month_run.month}", file=sys.stderr)
        return 2
    outcome = run_month(month_run, quiet=not args.verbose)
    stream = sys.stdout if outcome.exit_code == 0 else sys.stderr
    print(f"yuebao: {outcome.message}", file=stream)
    return outcome.exit_code


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    handlers = {"run": command_run}
    return handlers[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
