"""`yuebao backfill`: load a range of report months in order, resumable (see yuebao/backfill.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yuebao.commands import arguments
from yuebao.month_run import MonthRun


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("backfill", help="load report months --from … --to … in order, resumable")
    parser.add_argument("--from", dest="first", required=True, help="first report month, YYYY-MM")
    parser.add_argument("--to", dest="last", required=True, help="last report month, YYYY-MM")
    parser.add_argument("--inbox", required=True, type=Path, help="folder holding <YYYY-MM>/ with the exports")
    parser.add_argument("--home", required=True, type=Path, help="warehouse home (published files go here)")
    parser.add_argument("--reference", type=Path,
                        help="catalog folder (regions/indicators/departments/units .csv) instead of the dbt seeds")
    parser.add_argument("--target", choices=["duckdb", "postgres"], default="duckdb")
    parser.add_argument("--process-per-month", action="store_true",
                        help="run each month as a separate `yuebao run` process (slower; for comparison)")
    parser.add_argument("--months-per-process", type=int, default=0, metavar="N",
                        help="load N months per child process (default 0: all in this process, whose memory "
                             "stays flat)")
    parser.add_argument("--documents", choices=["last", "all", "none"], default="last",
                        help="months whose bulletin and Data Docs are rendered and reports e-mailed "
                             "(default: the last; every month's warehouse, data and department reports are written)")
    parser.add_argument("--no-overlap", action="store_true",
                        help="check and publish each month before the next one starts building (slower; a month's "
                             "gate then never shares the machine with the next month's dbt)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--wait", action="store_true",
                        help="if another run holds the home, wait for it instead of refusing (exit 4)")
    parser.set_defaults(handler=handle)


@arguments.guarded
def handle(args: argparse.Namespace) -> int:
    from yuebao.backfill import BackfillStopped, backfill, load_in_subprocess, month_range, one_at_a_time
    from yuebao.home import home_lock

    first, last = arguments.month(args.first, "--from"), arguments.month(args.last, "--to")
    try:
        months = month_range(first, last)
    except ValueError as error:
        raise arguments.BadArgument(str(error)) from None
    inbox = arguments.folder(args.inbox, "--inbox")
    if args.months_per_process < 0:
        raise arguments.BadArgument(f"--months-per-process must be 0 or more, got {args.months_per_process}")
    template = MonthRun(months[0], inbox, arguments.home(args.home), args.target, arguments.reference(args.reference))
    missing = [month for month in months if not (template.inbox / month).is_dir()]
    if missing:
        raise arguments.BadArgument(f"no inbox folder for {', '.join(missing[:3])}{' …' if len(missing) > 3 else ''}")
    load = one_at_a_time(load_in_subprocess) if args.process_per_month else None
    try:
        per_process = 0 if args.process_per_month else args.months_per_process
        with home_lock(template.home, f"backfill {months[0]}..{months[-1]}", wait=args.wait,
                       on_wait=arguments.say_waiting):
            loaded = backfill(template, months, load=load, progress=not args.no_progress,
                              months_per_process=per_process, documents=args.documents,
                              overlap=not args.no_overlap)
    except BackfillStopped as stopped:
        print(f"yuebao: backfill stopped at {stopped}; rerun the same command to resume", file=sys.stderr)
        return stopped.exit_code
    print(f"yuebao: backfill {months[0]}..{months[-1]} done ({len(loaded)} loaded, "
          f"{len(months) - len(loaded)} already done): {template.published_db}")
    return 0
