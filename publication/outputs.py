"""The files published beside the warehouse for a month, written from the built database.

Each writer takes (build database, report month, staging folder) and writes its files into the
staging folder; `yuebao.steps.publish` moves the folder to ``<home>/publish/<month>/`` once the
warehouse is swapped in. To publish a new kind of file, add its writer to ``writers()``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Writer = Callable[[Path, str, Path], object]


def writers(documents: bool = True, gate_file: Path | None = None, city_code: str | None = None,
            distribution: Path | None = None, chart_cache: Path | None = None) -> list[Writer]:
    """The month's writers; without ``documents`` (a backfill's earlier months) the data files only.

    ``gate_file`` (the gate's result, for the bulletin's notes), ``city_code`` (the city the
    bulletin is about; None: the catalog's) and ``chart_cache`` (charts drawn before; None: none)
    are the run's, passed by the caller.
    """
    from publication.parquet import write_parquet

    def write_bulletin(build_db: Path, month: str, out_dir: Path) -> object:
        # imported here: a month without documents never loads the bulletin's modules (docx, yaml …)
        from publication.bulletin import write_bulletin as write_documents

        return write_documents(build_db, month, out_dir, gate_file, city_code, distribution, chart_cache)

    return [write_bulletin, write_parquet] if documents else [write_parquet]
