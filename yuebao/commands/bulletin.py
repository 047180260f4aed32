"""`yuebao bulletin`: rebuild a month's bulletin from the published warehouse, as published in M."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yuebao.month_run import InvalidMonth, MonthRun


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bulletin", help="rebuild a month's bulletin (HTML, Markdown, DOCX)")
    parser.add_argument("--month", required=True, help="report month, YYYY-MM")
    parser.add_argument("--home", required=True, type=Path, help="warehouse home holding warehouse.duckdb")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from publication.bulletin import write_bulletin
    from yuebao.settings import Settings

    home = args.home.resolve()
    try:
        month_run = MonthRun(args.month, home, home, "duckdb")
    except (InvalidMonth, ValueError) as error:
        print(f"yuebao: {error}", file=sys.stderr)
        return 2
    if not month_run.published_db.is_file():
        print(f"yuebao: no published warehouse at {month_run.published_db}", file=sys.stderr)
        return 2
    target = write_bulletin(month_run.published_db, month_run.month, month_run.publish_dir,
                            gate_json=month_run.gate_file, city_code=Settings.from_environ().city_code)
    print(f"yuebao: bulletin of {month_run.month} written to {target.parent}")
    return 0
