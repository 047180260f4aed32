"""`yuebao bulletin`: rebuild a month's bulletin from the published warehouse, as published in M."""

from __future__ import annotations

import argparse
from pathlib import Path

from yuebao.commands import arguments
from yuebao.month_run import MonthRun


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bulletin", help="rebuild a month's bulletin (HTML, Markdown, DOCX)")
    parser.add_argument("--month", required=True, help="report month, YYYY-MM")
    parser.add_argument("--home", required=True, type=Path, help="warehouse home holding warehouse.duckdb")
    parser.add_argument("--wait", action="store_true",
                        help="if a run holds the home, wait for it instead of refusing (exit 4)")
    parser.set_defaults(handler=handle)


@arguments.guarded
def handle(args: argparse.Namespace) -> int:
    from publication.bulletin import write_bulletin
    from yuebao.home import home_lock, month_rows
    from yuebao.settings import Settings

    month = arguments.month(args.month)
    home = arguments.home(args.home, must_exist=True)
    month_run = MonthRun(month, home, home, "duckdb")
    # Checked before locking (reading only), so a refusal writes nothing, not even the lock file.
    if not month_run.published_db.is_file():
        raise arguments.BadArgument(f"no published warehouse at {month_run.published_db}")
    if not month_rows(month_run.published_db, month)["landing.files"]:
        raise arguments.BadArgument(f"{month} was never published in {home}: no bulletin to rebuild")
    with home_lock(home, f"bulletin {month}", wait=args.wait, on_wait=arguments.say_waiting):
        target = write_bulletin(month_run.published_db, month_run.month, month_run.publish_dir,
                                gate_json=month_run.gate_file, city_code=Settings.from_environ().city_code,
                                distribution=month_run.distribution_file, chart_cache=month_run.chart_cache_dir)
    print(f"yuebao: bulletin of {month_run.month} written to {target.parent}")
    return 0
