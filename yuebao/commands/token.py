"""`yuebao token create`: a new API token for a portal account, printed once as the last line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from yuebao.commands import arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("token", help="portal API tokens")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="print a new API token once (stored hashed)")
    create.add_argument("username")
    create.add_argument("--home", required=True, type=Path, help="warehouse home (the portal's store lives here)")
    create.set_defaults(handler=handle_create)


@arguments.guarded
def handle_create(args: argparse.Namespace) -> int:
    from portal.manage import UnknownAccount, create_token

    try:
        token = create_token(arguments.home(args.home, must_exist=True), args.username)
    except UnknownAccount:
        print(f"yuebao: no active account {args.username!r}", file=sys.stderr)
        return 2
    print(f"yuebao: API token for {args.username} (shown once; use it as 'Authorization: Bearer <token>'):")
    print(token)
    return 0
