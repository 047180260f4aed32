"""The indicator pages: definition, latest value, charts, revisions, downloads — rendered in
Chromium without console errors and without fetching anything from elsewhere.

``YUEBAO_UPDATE_SCREENSHOTS=1`` also writes the page's screenshot to docs/images/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from dataapi import DuckDBWarehouse
from tests.dataapi.conftest import build_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_page_shows_definition_latest_value_charts_revisions_and_downloads(open_client, target) -> None:
    client = open_client("revised", target)
    page = client.get("/data/indicators/retail_sales")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    for expected in ("社会消费品零售总额", "市商务局", "亿元", "累计值", "1,265", "邵阳市走势", "各县市区（2024-09）",
                     "修订记录", "1,135.4", "1,140.2"):
        assert expected in html, expected
    assert html.count("<svg") == 2
    assert not re.search(r"""(src|href)=["']?https?://""", html), "the page must not load anything from elsewhere"
    downloads = re.findall(r'href="(/api/v1/data\?[^"]+)"', html)
    assert len(downloads) == 5
    for link in downloads:
        assert client.get(link.replace("&amp;", "&")).status_code == 200


def test_index_lists_every_indicator_by_action(open_client) -> None:
    html = open_client("sample").get("/data/indicators").text
    assert html.count('href="/data/indicators/') == 104
    assert html.index("产业培塑行动") < html.index("民生可感行动")


def test_unknown_indicator_page_is_404(open_client) -> None:
    assert open_client("sample").get("/data/indicators/no_such_thing").status_code == 404


@contextmanager
def served_app(warehouse: Path, **app_options: object) -> Iterator[str]:
    """The data API over ``warehouse`` on a free local port (uvicorn in a thread), stopped after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = build_app(DuckDBWarehouse(warehouse), **app_options)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def served(api_warehouses) -> Iterator[str]:
    with served_app(api_warehouses["revised"]) as address:
        yield address


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed (make test installs it)")
def test_pages_render_in_chromium_without_console_errors(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning")
                    else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("request", lambda request: outside.append(request.url)
                    if not request.url.startswith(served) else None)
            for path in ("/data/indicators", "/data/indicators/retail_sales"):
                response = page.goto(served + path)
                assert response is not None and response.status == 200
                page.wait_for_load_state("networkidle")
            assert page.locator("svg.chart").count() == 2
            assert page.locator("svg.chart circle").count() == 2  # the city's two periods
            assert page.locator("svg.chart rect").count() == 12  # the twelve counties
            shot = tmp_path / "indicator-page.png"
            page.screenshot(path=str(shot), full_page=True)
            if os.environ.get("YUEBAO_UPDATE_SCREENSHOTS"):
                shutil.copyfile(shot, ROOT / "docs" / "images" / "indicator-page.png")
        finally:
            browser.close()
    assert problems == []
    assert outside == []
