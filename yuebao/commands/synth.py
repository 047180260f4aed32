"""`yuebao synth`: write contract-conformant synthetic inboxes (see yuebao/synth.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from yuebao.commands import arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("synth", help="generate a synthetic inbox for tests and benchmarks",
                                   add_help=False)
    parser.set_defaults(handler=handle, passthrough=True)


@arguments.guarded
def handle(args: argparse.Namespace) -> int:
    from yuebao.synth import main

    check_out(args.rest)
    return main(args.rest)


def check_out(rest: list[str]) -> None:
    """``--out`` must be a folder or not exist yet (the generator checks its other options)."""
    peek = argparse.ArgumentParser(add_help=False)
    peek.add_argument("--out", type=Path)
    out = peek.parse_known_args(rest)[0].out
    if out is not None and out.exists() and not out.is_dir():
        raise arguments.BadArgument(f"--out {out} is a file, not a folder")
