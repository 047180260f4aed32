"""`yuebao run`: load one report month through the yuebao_monthly DAG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yuebao.commands import arguments
from yuebao.month_run import MonthRun


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="load one report month through the yuebao_monthly DAG")
    parser.add_argument("--month", required=True, help="report month, YYYY-MM")
    parser.add_argument("--inbox", required=True, type=Path, help="folder holding <YYYY-MM>/ with the exports")
    parser.add_argument("--home", required=True, type=Path, help="warehouse home (published files go here)")
    parser.add_argument("--target", choices=["duckdb", "postgres"], default="duckdb")
    parser.add_argument("--reference", type=Path,
                        help="catalog folder (regions/indicators/departments/units .csv) instead of the dbt seeds")
    parser.add_argument("--no-documents", action="store_true",
                        help="load and check the month, write its data and department reports, but no bulletin, "
                             "no Data Docs, no e-mail (what a backfill does for all but its last month)")
    parser.add_argument("--full-refresh", action="store_true",
                        help="rebuild every month's facts from the landing history (after a catalog change "
                             "or an old month re-loaded; minutes with years of history)")
    parser.add_argument("--verbose", action="store_true",
                        help="show the full log (tasks, dbt, Great Expectations) as well as writing it to "
                             "<home>/build/<month>/run.log")
    parser.add_argument("--airflow", action="store_true",
                        help="run the DAG through Airflow's dag.test() (metadata database, execution API) "
                             "instead of calling its tasks in this process; slower, same result")
    parser.add_argument("--wait", action="store_true",
                        help="if another run holds the home, wait for it instead of refusing (exit 4)")
    parser.set_defaults(handler=handle)


@arguments.guarded
def handle(args: argparse.Namespace) -> int:
    from yuebao import step_workers
    from yuebao.home import check_build_folders, home_lock
    from yuebao.runner import log_of, run_month
    from yuebao.step_lines import StepLines

    month = arguments.month(args.month)
    inbox = arguments.folder(args.inbox, "--inbox")
    arguments.folder(inbox / month, "inbox month folder")
    month_run = MonthRun(month, inbox, arguments.home(args.home), args.target, arguments.reference(args.reference),
                         documents=not args.no_documents, full_refresh=args.full_refresh)
    steps = StepLines(sys.stdout, sys.stderr)  # bound now: the run redirects both into its log
    with home_lock(month_run.home, f"run {month}", wait=args.wait, on_wait=arguments.say_waiting):
        check_build_folders(month_run.build_db.parent, month_run.build_dir)
        try:
            outcome = run_month(month_run, quiet=not args.verbose, airflow=args.airflow, display=steps)
        finally:
            step_workers.stop()  # at once: the process is done with them
    print(f"  full log: {log_of(month_run)}", file=sys.stdout)
    stream = sys.stdout if outcome.exit_code == 0 else sys.stderr
    print(f"yuebao: {outcome.message}", file=stream)
    return outcome.exit_code
