"""Render a bulletin's charts: each from the cache when an identical chart was drawn before, the
others in worker processes while the caller composes the text.

The key of a chart is a SHA-256 of everything that decides its pixels: its content (the spec's
labels, values, titles), the matplotlib style, the font files the style resolves to (path, size,
modification time), the matplotlib and Pillow versions and the drawing code (``charts.py``'s bytes).
Change any of them and the key changes: a stale picture cannot be reused. The cache folder (under the
home, ``MonthRun.chart_cache_dir``) is written by renaming a finished temporary file onto the key's
name (``os.replace``), so two processes rendering at once never see a half-written PNG. Entries not
used for ``KEEP_DAYS`` are removed.

Drawing is CPU-bound Python (matplotlib): worker processes, not threads, drawing while the caller
composes the text, and only when the cores are free. They come from the process's fork server (the
caller, which may hold Airflow's or DuckDB's threads, is never forked); its preload list is left to
whoever owns the process (the runner preloads matplotlib there), else each worker imports matplotlib
once. The caller never imports pyplot; when every chart is cached, no worker starts. As with any
forkserver or spawn worker, each first imports the caller's ``__main__`` (multiprocessing's rule):
nothing under ``yuebao`` or pytest, the ``airflow`` CLI (≈1.3 s CPU per worker) under the scheduler.
Fresh interpreters per worker (``python -m``) were tried instead: each paid matplotlib's import, and a
2-core machine lost more than the parallel drawing won.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from functools import cache
from pathlib import Path
from types import TracebackType

from ingestion.file_pool import usable_cores
from publication.bulletin.document import Chart, ChartSpec

log = logging.getLogger(__name__)

DRAWING_CODE = Path(__file__).with_name("charts.py")
KEEP_DAYS = 60


def chart_key(spec: ChartSpec, style: dict[str, object], fonts: list[tuple[str, int]]) -> str:
    """The cache key of ``spec`` drawn with ``style``, whose families resolve to the font files ``fonts``."""
    font_files = []
    for path, face in fonts:
        stat = os.stat(path)
        font_files.append([path, face, stat.st_size, stat.st_mtime_ns])
    content = {"spec": asdict(spec), "style": style, "fonts": font_files, "drawing": _drawing()}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@cache
def _drawing() -> dict[str, str]:
    """What draws the pixels besides the spec, style and fonts: library versions and our drawing code."""
    import matplotlib
    import PIL

    return {"matplotlib": matplotlib.__version__, "pillow": PIL.__version__,
            "code": hashlib.sha256(DRAWING_CODE.read_bytes()).hexdigest()}


class ChartJob:
    """The charts of one bulletin being rendered; use as a context manager, then ``charts()``.

    ``cache_dir`` None: no cache (every chart drawn). ``workers`` 0: drawn in this process.
    """

    def __init__(self, specs: dict[str, list[ChartSpec]], cache_dir: Path | None, workers: int | None = None) -> None:
        from publication.bulletin.chart_fonts import chart_style, style_fonts

        self.specs = specs
        self.cache_dir = cache_dir
        has_charts = any(specs.values())  # a month too small for charts needs no fonts either
        self.style = chart_style() if has_charts else {}
        self.fonts = style_fonts(self.style) if has_charts else []
        self.keys = {spec.filename: chart_key(spec, self.style, self.fonts) for group in specs.values() for spec in group}
        self.found: dict[str, bytes] = {}
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            for group in specs.values():
                for spec in group:
                    cached = _read(cache_dir, self.keys[spec.filename])
                    if cached is not None:
                        self.found[spec.filename] = cached
        missing = [spec for group in specs.values() for spec in group if spec.filename not in self.found]
        self.workers = min(len(missing), _default_workers() if workers is None else workers)
        self.pool: ProcessPoolExecutor | None = None
        self.pending: dict[str, Future[Chart]] = {}
        if self.workers > 0:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=_worker_context())
            self.pending = {spec.filename: self.pool.submit(_draw, spec, self.style, self.fonts) for spec in missing}

    def __enter__(self) -> ChartJob:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=kind is not None)

    def charts(self) -> dict[str, list[Chart]]:
        """Every chart by action, in the specs' order; the ones drawn now are added to the cache."""
        try:
            drawn = {filename: future.result().png for filename, future in self.pending.items()}
        except BrokenProcessPool as broken:  # a worker died (killed, or its host forbids them): draw here
            log.warning("chart workers failed (%s): drawing the charts in this process", broken)
            drawn = {}
        specs = {spec.filename: spec for group in self.specs.values() for spec in group}
        for filename in self.keys.keys() - self.found.keys() - drawn.keys():
            drawn[filename] = _draw(specs[filename], self.style, self.fonts).png
        if self.cache_dir is not None:
            for filename, png in drawn.items():
                _write(self.cache_dir, self.keys[filename], png)
            prune(self.cache_dir)
        pngs = self.found | drawn
        return {action: [Chart(spec.title, spec.filename, pngs[spec.filename]) for spec in group]
                for action, group in self.specs.items()}


def _draw(spec: ChartSpec, style: dict[str, object], fonts: list[tuple[str, int]]) -> Chart:
    """Draw in this process, which must resolve the style to the fonts the key was made with."""
    from publication.bulletin.chart_fonts import cjk_font, style_fonts
    from publication.bulletin.charts import draw

    cjk_font()  # a worker's font list, like its parent's, may need the fonts installed since
    if style_fonts(style) != fonts:
        raise RuntimeError(f"this process resolves the chart fonts to {style_fonts(style)}, not {fonts}")
    return draw(spec, style)


def _default_workers() -> int:
    """One worker per core when the cores are free; none when busy (the 1-minute load average is at
    least the cores: workers' start-up then costs more than their parallel drawing wins), or in a
    daemonic process (which may not have children)."""
    cores = usable_cores()
    if multiprocessing.current_process().daemon or os.getloadavg()[0] >= cores:
        return 0
    return cores


def _worker_context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context("forkserver")


def _path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{key}.png"


def _read(cache_dir: Path, key: str) -> bytes | None:
    path = _path(cache_dir, key)
    try:
        png = path.read_bytes()
        os.utime(path)  # used now: kept by prune()
    except FileNotFoundError:
        return None
    return png


def _write(cache_dir: Path, key: str, png: bytes) -> None:
    """Write to a temporary file in the folder, then rename it onto the key (atomic on one filesystem)."""
    handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=f".{key[:16]}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(png)
        os.replace(temporary, _path(cache_dir, key))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def prune(cache_dir: Path, keep_days: float = KEEP_DAYS) -> None:
    """Remove the cache's charts unused for ``keep_days`` and temporary files a crash left (a day old)."""
    now = time.time()
    for entry in cache_dir.iterdir():
        is_chart = entry.suffix == ".png" and len(entry.stem) == 64
        is_leftover = entry.name.startswith(".") and entry.suffix == ".tmp"
        if not (is_chart or is_leftover):
            continue  # not the cache's: left alone
        try:
            age_days = (now - entry.stat().st_mtime) / 86400
        except FileNotFoundError:  # another process pruned or renamed it
            continue
        if age_days > (keep_days if is_chart else 1):
            entry.unlink(missing_ok=True)
