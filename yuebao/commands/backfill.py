"""`yuebao backfill`: load a range of report months in order, resumable (see yuebao/backfill.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yuebao.month_run import InvalidMonth, MonthRun


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
    parser.add_argument("--months-per-process", type=int, default=12, metavar="N",
                        help="load N months per child process, bounding memory (0: all in this process)")
    parser.add_argument("--documents", choices=["last", "all", "none"], default="last",
                        help="months whose bulletin and Data Docs are rendered and reports e-mailed "
                             "(default: the last; every month's warehouse, data and department reports are written)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from yuebao.backfill import BackfillStopped, backfill, load_in_process, load_in_subprocess, month_range

    try:
        months = month_range(args.first, args.last)
        reference = args.reference.resolve() if args.reference else None
        template = MonthRun(months[0], args.inbox.resolve(), args.home.resolve(), args.target, reference)
    except (InvalidMonth, ValueError) as error:
        print(f"yuebao: {error}", file=sys.stderr)
        return 2
    missing = [month for month in months if not (template.inbox / month).is_dir()]
    if missing:
        print(f"yuebao: no inbox folder for {', '.join(missing[:3])}{' …' if len(missing) > 3 else ''}",
              file=sys.stderr)
        return 2
    load = load_in_subprocess if args.process_per_month else load_in_process
    try:
        per_process = 0 if args.process_per_month else args.months_per_process
        loaded = backfill(template, months, load=load, progress=not args.no_progress,
                          months_per_process=per_process, documents=args.documents)
    except BackfillStopped as stopped:
        print(f"yuebao: backfill stopped at {stopped}; rerun the same command to resume", file=sys.stderr)
        return stopped.exit_code
    print(f"yuebao: backfill {months[0]}..{months[-1]} done ({len(loaded)} loaded, "
          f"{len(months) - len(loaded)} already done): {template.published_db}")
    return 0
