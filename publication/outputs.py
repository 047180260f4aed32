"""The files published beside the warehouse for a month, written from the built database.

Each writer takes (build database, report month, staging folder) and writes its files into the
staging folder; `yuebao.steps.publish` moves the folder to ``<home>/publish/<month>/`` once the
warehouse is swapped in. To publish a new kind of file, add its writer to ``writers()``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Writer = Callable[[Path, str, Path], object]


def writers(documents: bool = True) -> list[Writer]:
    """The month's writers; without ``documents`` (a backfill's earlier months) the data files only."""
    from publication.bulletin import write_bulletin
    from publication.parquet import write_parquet

    return [write_bulletin, write_parquet] if documents else [write_parquet]
