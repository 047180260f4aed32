"""Where a run's CPU goes, by command: a process-accounting file read back as process trees.

    accton /tmp/pacct && make test; accton off          # as root; Debian's package acct
    python bench/suite_cpu.py /tmp/pacct [--tree yuebao]

The kernel writes one record per process that ends (its command name, user + system CPU, parent).
Each process's CPU is counted under the outermost ancestor — itself included — whose command is one
of ``COMMANDS`` (a `yuebao run`'s dbt worker and chart workers under ``yuebao``), else under its own
name. ``--tree`` adds, for each top-level process of that command, its own CPU and its tree's, split
at ``--large`` seconds (a month's load against `yuebao synth` or `status`). Records of processes
still running when accounting stopped are missing: stop it after the run has ended.
docs/benchmarks.md (issue 18, ninth part) has the figures for `make test`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

COMMANDS = ("yuebao", "dbt", "airflow", "chromium", "postgres", "celery", "make", "ruff", "sqlfluff")
TICKS_PER_SECOND = 100  # acct v3 records CPU in AHZ ticks


@dataclass(frozen=True)
class Process:
    command: str
    cpu_seconds: float
    parent: int


def parse(dump: str) -> dict[int, Process]:
    """``dump-acct``'s lines (``comm|v3|utime|stime|etime|uid|gid|mem|io|pid|ppid|…``) by pid; a pid
    used twice keeps its last process (the kernel reuses pids only after many thousands)."""
    processes = {}
    for line in dump.splitlines():
        fields = [field.strip() for field in line.split("|")]
        if len(fields) < 11 or fields[1] != "v3":
            continue
        cpu = (float(fields[2]) + float(fields[3])) / TICKS_PER_SECOND
        processes[int(fields[9])] = Process(fields[0], cpu, int(fields[10]))
    return processes


def owner(pid: int, processes: dict[int, Process], commands: tuple[str, ...] = COMMANDS) -> str | None:
    """The command of ``pid``'s outermost ancestor (itself included) that is one of ``commands``."""
    found = None
    while pid in processes:
        process = processes[pid]
        if process.command.startswith(commands):
            found = process.command
        pid = process.parent
    return found


def by_command(processes: dict[int, Process], commands: tuple[str, ...] = COMMANDS) -> Counter[str]:
    """CPU seconds by owning command (`owner`), else by the process's own name (``other: …``)."""
    totals: Counter[str] = Counter()
    for pid, process in processes.items():
        totals[owner(pid, processes, commands) or f"other: {process.command}"] += process.cpu_seconds
    return totals


def trees(processes: dict[int, Process], command: str) -> list[tuple[float, float]]:
    """(own CPU, tree CPU) of every process of ``command`` whose parent is not one."""
    children: defaultdict[int, list[int]] = defaultdict(list)
    for pid, process in processes.items():
        children[process.parent].append(pid)

    def tree_cpu(pid: int) -> float:
        return processes[pid].cpu_seconds + sum(tree_cpu(child) for child in children[pid])

    return [(process.cpu_seconds, tree_cpu(pid)) for pid, process in processes.items()
            if process.command == command
            and (process.parent not in processes or processes[process.parent].command != command)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pacct", type=Path, help="the accounting file accton wrote")
    parser.add_argument("--tree", help="a command whose top-level processes are listed by size")
    parser.add_argument("--large", type=float, default=5.0, help="tree CPU seconds from which a process is large")
    args = parser.parse_args()
    processes = parse(subprocess.run(["dump-acct", str(args.pacct)], capture_output=True, text=True,
                                     check=True).stdout)
    totals = by_command(processes)
    everything = sum(totals.values())
    print("| command (and what it started) | CPU s | share |\n| --- | --- | --- |")
    for label, seconds in totals.most_common(12):
        print(f"| {label} | {seconds:.1f} | {seconds / everything:.1%} |")
    print(f"| all | {everything:.1f} | |")
    if args.tree:
        found = trees(processes, args.tree)
        for name, group in (("large", [t for t in found if t[1] >= args.large]),
                            ("small", [t for t in found if t[1] < args.large])):
            if group:
                print(f"{args.tree}, {name}: {len(group)} processes, trees {sum(t[1] for t in group):.1f} s "
                      f"(own {sum(t[0] for t in group):.1f} s); median tree {statistics.median(t[1] for t in group):.1f} s, "
                      f"median own {statistics.median(t[0] for t in group):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
