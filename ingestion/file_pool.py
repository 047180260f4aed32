"""Reading a month's data files in worker processes, handed back in the order they were given.

Parsing is Python work per cell (about 15 µs a row): a country month, 2.9M rows in 39 files, kept
one core busy for a minute while the other idled. Large months are read by a small pool of
processes, while this one lands each file as soon as it is its turn, so the landing tables get
the same rows in the same order as a serial read. Workers are started with ``spawn`` (no fork of
a process that runs DuckDB's and Airflow's threads) and stopped when the month is read, so they
hold no memory during the steps after ingest. Workers import the modules afresh: a bound patched
in this process at run time (as tests lower ``MAX_ROWS``) does not reach them, so such tests use
months below ``PARALLEL_MIN_BYTES``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
log = logging.getLogger(__name__)

# Below this many bytes of files, starting the workers (≈ 0.5 s each: Python, pandas) costs more
# than reading in parallel saves.
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
MAX_WORKERS = 4  # each holds one file's rows (≈ 0.3 GB for a 100,000-row file)


def reading_workers(total_bytes: int) -> int:
    """How many processes should read files adding up to ``total_bytes``: 0 means this one alone."""
    if total_bytes < PARALLEL_MIN_BYTES:
        return 0
    cores = usable_cores()
    return min(cores, MAX_WORKERS) if cores > 1 else 0


def usable_cores() -> int:
    """The cores this process may run on (its affinity: a container's limit, `taskset`), not the
    machine's; every pool of worker processes is sized by it."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def read_in_order(read: Callable[[Item], Result], items: Sequence[Item], workers: int) -> Iterator[Result]:
    """``read(item)`` for each item, yielded in the items' order; with ``workers`` > 0 in that many
    processes (``read`` and the items must pickle; a script calling this needs the usual
    ``if __name__ == "__main__"`` guard, as ``spawn`` imports it). At most ``workers + 1`` results
    wait to be taken, so memory holds a few files, not the month. If a worker dies (killed for
    memory), the items not yet yielded are read here, one at a time."""
    if workers <= 0:
        yield from map(read, items)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        queue = iter(items)
        pending: deque[tuple[Item, Future[Result]]] = deque(
            (item, pool.submit(read, item)) for item in islice(queue, workers + 1))
        while pending:
            try:
                result = pending[0][1].result()
            except BrokenProcessPool:
                break
            pending.popleft()
            for item in queue:  # one more in flight for each one taken
                pending.append((item, pool.submit(read, item)))
                break
            yield result
    if pending:  # only after a worker died
        unread = [*(item for item, _ in pending), *queue]
        log.warning("a file-reading worker died: reading the %d remaining file(s) in this process", len(unread))
        yield from map(read, unread)
