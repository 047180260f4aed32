"""`yuebao waive`: record the coordination office's waiver of a blocking check (who, when, why)."""

from __future__ import annotations

import argparse
from pathlib import Path

from yuebao import SEEDS_DIR
from yuebao.commands import arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("waive", help="waive a blocking quality check for one department and month")
    parser.add_argument("--month", required=True, help="report month, YYYY-MM")
    parser.add_argument("--department", required=True, help="department name (or 未识别单位)")
    parser.add_argument("--rule", required=True, help="the rule shown in the quality report, e.g. negative_value")
    parser.add_argument("--by", required=True, help="who decides (name)")
    parser.add_argument("--reason", required=True, help="why the month may be published anyway")
    parser.add_argument("--home", required=True, type=Path, help="warehouse home (where waivers.jsonl is kept)")
    parser.add_argument("--wait", action="store_true",
                        help="if a run holds the home, wait for it instead of refusing (exit 4)")
    parser.set_defaults(handler=handle)


def known_rules() -> set[str]:
    from expectations.suites import all_suites
    from ingestion.issues import RULE_HINTS

    return {check.rule for suite in all_suites() for check in suite.checks} | set(RULE_HINTS)


@arguments.guarded
def handle(args: argparse.Namespace) -> int:
    from expectations.waivers import record_waiver
    from ingestion.departments import UNKNOWN_DEPARTMENT, DepartmentDirectory
    from yuebao.home import home_lock, month_was_checked
    from yuebao.month_run import MonthRun

    month = arguments.month(args.month)
    texts = {option: arguments.plain_text(value, option) for option, value in
             (("--department", args.department), ("--rule", args.rule), ("--by", args.by), ("--reason", args.reason))}
    department = DepartmentDirectory(SEEDS_DIR / "departments.csv").standard(texts["--department"])
    if texts["--department"] == UNKNOWN_DEPARTMENT:
        department = UNKNOWN_DEPARTMENT
    if department is None:
        raise arguments.BadArgument(f"unknown department {args.department!r}")
    if texts["--rule"] not in known_rules():
        raise arguments.BadArgument(f"unknown rule {args.rule!r} (see the rule column of the quality report)")
    home = arguments.home(args.home, must_exist=True)
    month_run = MonthRun(month, home, home)
    if not month_was_checked(month_run.gate_file, month_run.publish_dir):
        raise arguments.BadArgument(f"{month} was never loaded in {home}: there is nothing to waive yet "
                                    f"(run the month first, then waive what its quality report shows)")
    with home_lock(home, f"waive {month}", wait=args.wait, on_wait=arguments.say_waiting):
        try:
            waiver = record_waiver(home, month, department, texts["--rule"], texts["--by"], texts["--reason"])
        except ValueError as error:
            raise arguments.BadArgument(str(error)) from None
    print(f"yuebao: waived {waiver.rule} for {waiver.department} in {waiver.month} "
          f"(by {waiver.waived_by} at {waiver.waived_at}); rerun the month to publish")
    return 0
