"""The portal in a real browser (Playwright driving Debian's Chromium): a reporter fixes a file after
the instant findings; the office sees the tracker change, returns a submission and approves the month.

Set ``YUEBAO_SCREENSHOTS=docs/images`` to renew the README's screenshots.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook

from tests.portal_helpers import ACCOUNTS, PASSWORD, ZJJ_FILE, Portal, make_portal, with_pending

CHROMIUM = "/usr/bin/chromium"
MONTH = "2024-10"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Portal, str]]:
    portal = make_portal(tmp_path)
    # The other departments' sample files, dropped into the inbox on 1 November 2024 (on time).
    inbox = portal.settings.inbox / MONTH
    inbox.mkdir(parents=True)
    for sample in ZJJ_FILE.parent.iterdir():
        if sample != ZJJ_FILE:
            os.utime(shutil.copyfile(sample, inbox / sample.name), (1730424600, 1730424600))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(portal.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield portal, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def log_in(page, base: str, caller: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", ACCOUNTS[caller][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('登录')")


def screenshot(page, name: str) -> None:
    target = os.environ.get("YUEBAO_SCREENSHOTS")
    if target:
        page.screenshot(path=str(Path(target) / name), full_page=True)


def test_reporter_fixes_a_file_and_the_office_returns_and_approves(served: tuple[Portal, str], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    portal, base = served
    pending = tmp_path / "pending" / ZJJ_FILE.name
    pending.parent.mkdir()
    pending.write_bytes(with_pending(ZJJ_FILE.read_bytes()))
    fixed = tmp_path / "fixed" / ZJJ_FILE.name
    fixed.parent.mkdir()
    shutil.copyfile(ZJJ_FILE, fixed)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        office = browser.new_context(viewport={"width": 1280, "height": 900})
        reviewer = office.new_page()
        log_in(reviewer, base, "reviewer")
        reviewer.goto(f"{base}/review/{MONTH}")
        row = reviewer.locator("tr[data-unit='市住建局']")
        assert row.get_attribute("data-status") == "missing"

        unit = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        reporter = unit.new_page()
        log_in(reporter, base, "reporter")
        reporter.goto(f"{base}/months/{MONTH}")
        dropped = reporter.evaluate_handle("""() => {
            const files = new DataTransfer();
            files.items.add(new File(["a"], "市住建局_2024年10月.csv"));
            files.items.add(new File(["b"], "市住建局_文字材料.docx"));
            return files;
        }""")
        reporter.dispatch_event("#dropzone", "drop", {"dataTransfer": dropped})
        assert reporter.locator("#chosen li").count() == 2  # several files dropped at once are chosen
        reporter.set_input_files("#files", str(pending))
        reporter.click("button:has-text('上传并检查')")
        finding = reporter.locator("table.findings tr", has_text="待核实")
        assert finding.count() == 1
        cells = finding.locator("td").all_inner_texts()
        assert cells[2:5] == ["2", "E", "待核实"]
        assert "未通过检查" in reporter.inner_text(".verdict")
        screenshot(reporter, "portal-reporter-findings.png")

        with reporter.expect_download() as download:
            reporter.click("a:has-text('下载批注 Excel')")
        annotated = tmp_path / "annotated.xlsx"
        download.value.save_as(annotated)
        book = load_workbook(annotated)
        marked = [cell for sheet in book.worksheets for row_cells in sheet.iter_rows() for cell in row_cells
                  if cell.value == "待核实" and cell.comment is not None]
        assert marked, "the bad cell is marked in the annotated workbook"

        reporter.set_input_files("#files", str(fixed))
        reporter.click("button:has-text('上传并检查')")
        assert "已接收，未发现问题" in reporter.inner_text(".verdict")
        assert (portal.settings.inbox / MONTH / ZJJ_FILE.name).read_bytes() == ZJJ_FILE.read_bytes()
        assert reviewer.locator("tr[data-unit='市商务局']").get_attribute("data-status") == "received"

        reviewer.reload()
        assert reviewer.locator("tr[data-unit='市住建局']").get_attribute("data-status") == "late"  # due 2024-11-03
        reviewer.click("tr[data-unit='市住建局'] a")
        reviewer.fill("textarea[name=comment]", "年度目标与上月不一致，请核实后重报。")
        reviewer.click("button:has-text('退回')")
        assert "年度目标与上月不一致" in reviewer.inner_text("body")
        mails = list((portal.settings.home / "outbox" / MONTH).glob("*.eml"))
        assert len(mails) == 1

        reviewer.goto(f"{base}/review/{MONTH}")
        assert reviewer.locator("tr[data-unit='市住建局']").get_attribute("data-status") == "returned"
        reviewer.fill("input[name=comment]", "同意发布")
        reviewer.click("button:has-text('批准')")
        assert "批准发布" in reviewer.inner_text("#approval")
        assert "office" in reviewer.inner_text("#approval")
        screenshot(reviewer, "portal-reviewer.png")

        reporter.goto(f"{base}/months/{MONTH}")
        assert "年度目标与上月不一致" in reporter.inner_text("body")
        browser.close()
    assert '"approved_by": "office"' in (portal.settings.home / "approvals.jsonl").read_text(encoding="utf-8")
