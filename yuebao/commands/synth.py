"""`yuebao synth`: write deterministic, contract-conformant synthetic inboxes (the `synth` package)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from yuebao.commands import arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("synth", help="generate a synthetic inbox for tests and benchmarks",
                                   description="Write deterministic synthetic monthly inboxes.")
    parser.add_argument("--regions", type=int, required=True,
                        help="number of reporting regions (13 = 邵阳市 + counties)")
    parser.add_argument("--indicators", type=int, required=True, help="number of indicators (<=104: real catalog)")
    parser.add_argument("--months", type=int, required=True, help="number of consecutive report months")
    parser.add_argument("--out", type=Path, required=True,
                        help="output directory: <out>/<YYYY-MM>/, <out>/reference/")
    parser.add_argument("--seed", type=int, required=True, help="random seed (same seed, same bytes)")
    parser.add_argument("--start", default="2024-01", help="first report month, YYYY-MM (default 2024-01)")
    parser.add_argument("--force", action="store_true", help="replace existing month directories")
    parser.set_defaults(handler=handle)


@arguments.guarded
def handle(args: argparse.Namespace) -> int:
    from synth import generate

    if args.out.exists() and not args.out.is_dir():
        raise arguments.BadArgument(f"--out {args.out} is a file, not a folder")
    began = time.perf_counter()
    try:
        summary = generate(args.out, args.regions, args.indicators, args.months, args.seed, args.start,
                           overwrite=args.force)
    except (ValueError, FileExistsError) as error:
        print(f"yuebao synth: {error}", file=sys.stderr)
        return 2
    print(f"wrote {summary.files} files, {summary.observations} observations "
          f"({summary.regions} regions × {summary.indicators} indicators × {len(summary.months)} months) "
          f"to {summary.out} in {time.perf_counter() - began:.1f} s")
    return 0
