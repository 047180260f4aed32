"""The bulletin's chart cache: a chart is reused only when everything that makes its pixels is the same
(data, style, fonts, drawing code), and charts drawn in worker processes are the ones drawn in place."""

from __future__ import annotations

import os
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

import pytest

from publication.bulletin import chart_cache
from publication.bulletin.chart_cache import ChartJob, chart_key, prune
from publication.bulletin.chart_fonts import chart_style, style_fonts
from publication.bulletin.document import BarPanel, ChartSpec, LinePanel

BARS = ChartSpec("产业发展：各县市区指标", "charts/01-counties.png", "bars", (
    BarPanel("规模工业增加值增速（%）", ("双清", "大祥", "北塔"), (-1.5, 3.25, 7.0), ("-1.5", "3.25", "7"), 4.1,
             "全市 4.1%"),))
LINES = ChartSpec("产业发展：全市2024年走势", "charts/01-trend.png", "lines", (
    LinePanel("规模工业增加值增速（%）", ("1月", "2月", "3月"), (5.0, 5.5, 6.1), ("5", "5.5", "6.1"), "邵阳市",
              ("1月", "2月", "3月"), (4.8, 5.2, 5.9)),))


def render(specs: list[ChartSpec], cache: Path | None, workers: int = 0) -> dict[str, bytes]:
    with ChartJob({"产业发展": specs}, cache, workers=workers) as job:
        return {chart.filename: chart.png for chart in job.charts()["产业发展"]}


def cached_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.png"))


def test_a_cached_chart_is_not_reused_when_its_data_changes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = render([BARS], cache)[BARS.filename]
    assert len(cached_files(cache)) == 1
    panel = BARS.panels[0]
    changed = replace(BARS, panels=(replace(panel, values=(-1.5, 3.25, 9.0), value_texts=("-1.5", "3.25", "9")),))
    second = render([changed], cache)[BARS.filename]
    assert second != first, "a chart of other figures must be drawn anew, not taken from the cache"
    assert second == render([changed], None)[BARS.filename], "and drawn as it would be without a cache"
    assert len(cached_files(cache)) == 2
    relabelled = replace(BARS, panels=(replace(panel, mark_label="县市区平均 2.92"),))
    assert render([relabelled], cache)[BARS.filename] not in (first, second)


def test_a_cached_chart_is_reused_without_drawing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    drawn = render([BARS, LINES], cache)

    def must_not_draw(*args: object) -> None:
        raise AssertionError("an unchanged chart was drawn again")

    monkeypatch.setattr(chart_cache, "_draw", must_not_draw)
    assert render([BARS, LINES], cache) == drawn


def test_the_key_changes_with_style_fonts_and_drawing_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    style = chart_style()
    fonts = style_fonts(style)
    key = chart_key(BARS, style, fonts)
    assert chart_key(BARS, style, fonts) == key
    assert chart_key(BARS, style | {"font.size": 11}, fonts) != key
    # another font file, or the same file replaced (size or modification time)
    copied = tmp_path / "font.ttf"
    copied.write_bytes(Path(fonts[0][0]).read_bytes())
    assert chart_key(BARS, style, [(str(copied), fonts[0][1]), *fonts[1:]]) != key
    os.utime(copied, ns=(0, 0))
    touched = chart_key(BARS, style, [(str(copied), fonts[0][1]), *fonts[1:]])
    os.utime(copied, ns=(10**18, 10**18))
    assert chart_key(BARS, style, [(str(copied), fonts[0][1]), *fonts[1:]]) != touched
    # an edit of the drawing code
    code = tmp_path / "charts.py"
    code.write_bytes(chart_cache.DRAWING_CODE.read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(chart_cache, "DRAWING_CODE", code)
    chart_cache._drawing.cache_clear()
    try:
        assert chart_key(BARS, style, fonts) != key
    finally:
        chart_cache._drawing.cache_clear()


def test_workers_draw_the_same_bytes_as_this_process(tmp_path: Path) -> None:
    in_place = render([BARS, LINES], None, workers=0)
    assert render([BARS, LINES], tmp_path / "cache", workers=2) == in_place
    assert all(png.startswith(b"\x89PNG") for png in in_place.values())
    assert not list((tmp_path / "cache").glob(".*")), "no temporary file is left behind"


def test_prune_removes_only_old_cache_entries(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    render([BARS, LINES], cache)
    old, recent = cached_files(cache)
    foreign = cache / "notes.txt"
    foreign.write_text("not the cache's", encoding="utf-8")
    leftover = cache / ".0123456789abcdef-x.tmp"
    leftover.write_bytes(b"half a chart")
    long_ago = time.time() - 400 * 86400
    for path in (old, foreign, leftover):
        os.utime(path, (long_ago, long_ago))
    prune(cache)
    assert not old.exists() and not leftover.exists()
    assert recent.exists() and foreign.exists()


def test_charts_are_drawn_in_place_when_the_workers_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class BrokenPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def submit(self, *args: object) -> Future[object]:
            future: Future[object] = Future()
            future.set_exception(BrokenProcessPool("a worker was killed"))
            return future

        def shutdown(self, **kwargs: object) -> None:
            pass

    monkeypatch.setattr(chart_cache, "ProcessPoolExecutor", BrokenPool)
    assert render([BARS, LINES], tmp_path / "cache", workers=2) == render([BARS, LINES], None)


def test_workers_only_when_the_cores_are_free(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.7, 0.8, 0.9))
    assert chart_cache._default_workers() == 2
    monkeypatch.setattr(os, "getloadavg", lambda: (2.4, 1.0, 0.9))
    assert chart_cache._default_workers() == 0, "a busy machine: drawn in place, no start-up to pay"


def test_a_published_month_keeps_its_charts_in_the_home_cache(published_home: Path) -> None:
    published = sorted((published_home / "publish" / "2024-10" / "charts").glob("*.png"))
    cached = {path.read_bytes() for path in (published_home / "cache" / "charts").glob("*.png")}
    assert published and all(path.read_bytes() in cached for path in published)
