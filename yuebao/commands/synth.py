"""`yuebao synth`: write contract-conformant synthetic inboxes (see yuebao/synth.py)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("synth", help="generate a synthetic inbox for tests and benchmarks",
                                   add_help=False)
    parser.set_defaults(handler=handle, passthrough=True)


def handle(args: argparse.Namespace) -> int:
    from yuebao.synth import main

    return main(args.rest)
