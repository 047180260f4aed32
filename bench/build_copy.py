"""The copy a build starts from, and the ingest's first checkpoint that must find it on disk.

    python bench/build_copy.py WAREHOUSE [--rounds 4] [--work 0.4]

Copies WAREHOUSE (a large one: the 120-month backfill's) beside itself, does ``--work`` seconds of
CPU work (the ingest's own, before it writes), then creates a 40,800-row table and closes the
connection, whose checkpoint syncs the file; alternately with the copy left to that checkpoint
(`shutil.copyfile` alone, as before) and with its writing started at once, as
`publication.warehouse.start_build` does (`start_writing_out`). Prints the seconds of the copy, of the ingest-like part and
of both. docs/benchmarks.md (issue 18, eighth part) has the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

import duckdb

from publication.warehouse import start_writing_out


def ingest_like(path: Path, work_seconds: float) -> None:
    end = time.perf_counter() + work_seconds
    while time.perf_counter() < end:
        sum(range(1000))
    with duckdb.connect(str(path), config={"max_vacuum_tasks": 0}) as con:
        con.execute("create table main.bench_ingest as "
                    "select range as i, 'x' || range as s, random() as v from range(40800)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--work", type=float, default=0.4, help="seconds of CPU work before the writes")
    args = parser.parse_args()
    for _ in range(args.rounds):
        for name, write_out in (("at the checkpoint", False), ("started at once", True)):
            copy = args.warehouse.with_name(f"bench-copy-{os.getpid()}.duckdb")
            os.sync()
            time.sleep(2)
            began = time.perf_counter()
            shutil.copyfile(args.warehouse, copy)
            writer = start_writing_out(copy) if write_out else None
            copied = time.perf_counter()
            ingest_like(copy, args.work)
            ended = time.perf_counter()
            if writer is not None:
                writer.join()
            print(f"{name:18s} copy {copied - began:5.2f} s  ingest-like {ended - copied:5.2f} s  "
                  f"both {ended - began:5.2f} s", flush=True)
            copy.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
