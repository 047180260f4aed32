"""`yuebao waive`: record the coordination office's waiver of a blocking check (who, when, why)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yuebao import SEEDS_DIR
from yuebao.month_run import InvalidMonth


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("waive", help="waive a blocking quality check for one department and month")
    parser.add_argument("--month", required=True, help="report month, YYYY-MM")
    parser.add_argument("--department", required=True, help="department name (or 未识别单位)")
    parser.add_argument("--rule", required=True, help="the rule shown in the quality report, e.g. negative_value")
    parser.add_argument("--by", required=True, help="who decides (name)")
    parser.add_argument("--reason", required=True, help="why the month may be published anyway")
    parser.add_argument("--home", required=True, type=Path, help="warehouse home (where waivers.jsonl is kept)")
    parser.set_defaults(handler=handle)


def known_rules() -> set[str]:
    from expectations.suites import all_suites
    from ingestion.issues import RULE_HINTS

    return {check.rule for suite in all_suites() for check in suite.checks} | set(RULE_HINTS)


def handle(args: argparse.Namespace) -> int:
    from expectations.waivers import record_waiver
    from ingestion.departments import UNKNOWN_DEPARTMENT, DepartmentDirectory

    department = DepartmentDirectory(SEEDS_DIR / "departments.csv").standard(args.department)
    if args.department == UNKNOWN_DEPARTMENT:
        department = UNKNOWN_DEPARTMENT
    if department is None:
        print(f"yuebao: unknown department {args.department!r}", file=sys.stderr)
        return 2
    if args.rule not in known_rules():
        print(f"yuebao: unknown rule {args.rule!r} (see the rule column of the quality report)", file=sys.stderr)
        return 2
    try:
        waiver = record_waiver(args.home.resolve(), args.month, department, args.rule, args.by, args.reason)
    except (InvalidMonth, ValueError) as error:
        print(f"yuebao: {error}", file=sys.stderr)
        return 2
    print(f"yuebao: waived {waiver.rule} for {waiver.department} in {waiver.month} "
          f"(by {waiver.waived_by} at {waiver.waived_at}); rerun the month to publish")
    return 0
