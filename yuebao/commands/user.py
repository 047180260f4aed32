"""`yuebao user add`: create a portal account (password from YUEBAO_PASSWORD or a prompt, never an argument)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from yuebao.commands import arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("user", help="portal accounts")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create an account (password from YUEBAO_PASSWORD or a prompt)")
    add.add_argument("username")
    add.add_argument("--unit", required=True,
                     help="a reporter's department, task force or county (standard name); the office for others")
    add.add_argument("--role", required=True, choices=["reporter", "reviewer", "admin"])
    add.add_argument("--home", required=True, type=Path, help="warehouse home (the portal's store lives here)")
    add.set_defaults(handler=handle_add)


def read_password() -> str | None:
    if password := os.environ.get("YUEBAO_PASSWORD"):
        return password
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("密码 / password: ")
    return first if first == getpass.getpass("再次输入 / again: ") else None


@arguments.guarded
def handle_add(args: argparse.Namespace) -> int:
    from portal.accounts import AccountError
    from portal.manage import add_user
    from yuebao.home import ensure_home

    ensure_home(arguments.home(args.home))
    password = read_password()
    if not password:
        print("yuebao: no password (set YUEBAO_PASSWORD or type it twice at the prompt)", file=sys.stderr)
        return 2
    try:
        account = add_user(args.home.resolve(), args.username, args.unit, args.role, password)
    except AccountError as error:
        print(f"yuebao: {error}", file=sys.stderr)
        return 2
    print(f"yuebao: account {account.username} ({account.role}, {account.unit}) created")
    return 0
