"""`yuebao grant-analyst`: the read-only analyst role of the PostgreSQL warehouse."""

from __future__ import annotations

import argparse
import re
import sys

from yuebao.commands import arguments

ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}\Z")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "grant-analyst", help="create a role that can only read the published schema marts (PostgreSQL)",
        description="Connects with PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE. Give the role to people "
                    "with GRANT <role> TO <user>; every later publication keeps the grant.",
    )
    parser.add_argument("--role", default="yuebao_analyst", help="role name (default yuebao_analyst)")
    parser.set_defaults(handler=handle)


@arguments.guarded
def handle(args: argparse.Namespace) -> int:
    import psycopg

    from yuebao.targets.postgres import PUBLISHED_SCHEMA, connect, create_analyst_role

    if not ROLE_NAME.match(args.role):
        raise arguments.BadArgument(f"--role must be a plain PostgreSQL name (letters, digits, _), got {args.role!r}")
    try:
        with connect() as con:
            create_analyst_role(con, args.role)
    except psycopg.Error as error:
        print(f"yuebao: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"yuebao: role {args.role} may read schema {PUBLISHED_SCHEMA} (USAGE, SELECT) and nothing else")
    return 0
