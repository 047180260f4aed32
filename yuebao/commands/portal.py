"""`yuebao portal`: serve the submission portal (uploads, review, approval) with uvicorn."""

from __future__ import annotations

import argparse
from pathlib import Path

from yuebao.commands import arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("portal", help="serve the submission portal (GET /api/v1/health when ready)")
    parser.add_argument("--home", required=True, type=Path, help="warehouse home (the portal's store lives here)")
    parser.add_argument("--inbox", required=True, type=Path, help="folder holding <YYYY-MM>/ for accepted files")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--demo", action="store_true",
                        help="create (or reset) a demo reviewer and a 市住建局 reporter; passwords printed once")
    parser.set_defaults(handler=handle)


@arguments.guarded
def handle(args: argparse.Namespace) -> int:
    import uvicorn

    from portal.app import create_app
    from portal.manage import demo_accounts
    from portal.settings import PortalSettings
    from yuebao.home import ensure_home

    if args.inbox.exists() and not args.inbox.is_dir():
        raise arguments.BadArgument(f"--inbox {args.inbox} is not a folder")
    args.inbox.mkdir(parents=True, exist_ok=True)
    inbox = args.inbox.resolve()
    settings = PortalSettings.from_env(home=ensure_home(arguments.home(args.home)), inbox=inbox)
    app = create_app(settings)
    if args.demo:
        for username, role, password in demo_accounts(settings, app.state.store):
            print(f"demo {role}: {username}  password: {password}")
    print(f"yuebao: portal on http://{args.host}:{args.port}/  (store: {settings.database_url.split('://')[0]})",
          flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
