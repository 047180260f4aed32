"""The departments' reports: written for every department (and 未识别单位), readable in a browser
without console errors or outside resources, and the same problems in a formula-free workbook."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from expectations.gate import GateResult, validate
from expectations.waivers import Waiver
from publication.dq import write_month_reports
from publication.dq.model import problems_by_department
from tests.test_dq_gate import FORMULA, MONTH, POLICE, inject_errors

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def reports(published_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, GateResult]:
    """Reports of the sample month with every injected error: (build db, dq folder, gate)."""
    build_dir = tmp_path_factory.mktemp("dq_reports_build")
    database = inject_errors(published_home / "warehouse.duckdb", build_dir)
    gate = validate(database, build_dir, MONTH, data_docs_dir=build_dir / "data_docs")
    publish_dir = tmp_path_factory.mktemp("dq_publish") / MONTH
    waiver = Waiver(MONTH, "市商务局", "rank_out_of_range", "王主任", "省厅排名口径调整", "2024-11-04T02:00:00Z")
    write_month_reports(database, build_dir / "dq_reports", publish_dir / "dq", gate, [waiver],
                        data_docs_dir=build_dir / "data_docs")
    return database, publish_dir / "dq", gate


def test_a_report_for_every_department_that_sent_files_and_for_unidentified_input(reports) -> None:
    _, dq, _ = reports
    names = {path.stem for path in dq.glob("*.html")} - {"index"}
    assert {"市公安局", "市商务局", "市文旅广体局", "未识别单位"} <= names
    assert {path.stem for path in dq.glob("*.xlsx")} == names
    assert (dq / "data_docs" / "index.html").exists()


def test_department_report_locates_each_problem_with_a_hint_and_says_it_blocked(reports) -> None:
    _, dq, _ = reports
    html = (dq / "市公安局.html").read_text(encoding="utf-8")
    assert "本月数据未能发布" in html
    negative = re.search(r"<tr>\s*<td><span class=\"tag blocking\">阻断</span></td>\s*"
                         r"<td>市公安局_社会治安_2024年1-10月.csv</td><td>—</td>\s*<td class=\"num\">2</td>\s*"
                         r"<td>数值</td><td><code>-407.0</code></td>\s*<td><code>negative_value</code></td>", html)
    assert negative, "the negative count is not listed with its file, row, column, value and rule"
    assert "请核对数值符号" in html  # the hint
    assert "收到的文件" in html and "读取" in html


def test_a_duplicated_fact_is_listed_once(reports) -> None:
    _, _, gate = reports
    duplicate = next(failure for failure in gate.failures if failure.rule == "duplicate_key")
    assert len([row for row in duplicate.rows if row.get("source_row") == 8]) == 2  # both copies fail the check
    listed = [problem for problem in problems_by_department(gate)["市公安局"] if problem.rule == "duplicate_key"]
    assert [(problem.source_file, problem.source_row) for problem in listed] == [(POLICE, 8)]


def test_unidentified_input_report_lists_the_unreadable_file(reports) -> None:
    _, dq, _ = reports
    html = (dq / "未识别单位.html").read_text(encoding="utf-8")
    assert "scan_0001.xlsx" in html and "文件无法打开" in html


def test_summary_page_shows_every_owing_department_with_delivery_and_quality_status(reports) -> None:
    _, dq, _ = reports
    html = (dq / "index.html").read_text(encoding="utf-8")
    row = re.search(r"<tr><td>市住建局</td>.*?</tr>", html, re.S)
    assert row and "未报送" in row.group(0)
    police = re.search(r"<tr><td>市公安局</td>.*?</tr>", html, re.S)
    assert police and "阻止发布" in police.group(0) and "逾期报送" in police.group(0)
    assert "省厅排名口径调整" in html  # the month's waivers are listed
    assert "问题趋势" in html and "negative_value" in html


def test_reports_record_history_tracker_and_waivers_in_the_build(reports) -> None:
    database, _, _ = reports
    with duckdb.connect(str(database), read_only=True) as con:
        history = con.execute("select failures, blocked_publication from main.dq_failure_history"
                              " where department = '市公安局' and rule = 'negative_value'").fetchall()
        status = dict(con.execute("select department, delivery_status from main.dq_delivery_status").fetchall())
        waivers = con.execute("select department, rule, waived_by from main.dq_waivers").fetchall()
    assert history == [(1, True)]
    assert status["市住建局"] == "missing" and status["市公安局"] in {"received", "late"}
    assert waivers == [("市商务局", "rank_out_of_range", "王主任")]


def test_history_is_replaced_not_appended_when_a_month_is_rerun(reports, tmp_path: Path) -> None:
    database, _, gate = reports
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(database, copy)
    write_month_reports(copy, tmp_path / "dq_reports", tmp_path / "publish" / "dq", gate, [])
    with duckdb.connect(str(copy), read_only=True) as con:
        twice = con.execute("select sum(failures) from main.dq_failure_history where report_month = ?",
                            [f"{MONTH}-01"]).fetchone()
    with duckdb.connect(str(database), read_only=True) as con:
        once = con.execute("select sum(failures) from main.dq_failure_history where report_month = ?",
                           [f"{MONTH}-01"]).fetchone()
    assert twice == once


def test_workbook_has_one_row_per_problem_no_formulas_and_neutralised_cells(reports) -> None:
    _, dq, gate = reports
    book = load_workbook(dq / "市人社局.xlsx")
    sheet = book["问题明细"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    formula_cell = next(cell for cell in cells if cell.value == FORMULA)
    assert formula_cell.data_type == "s"
    expected = sum(1 for failure in gate.failures for row in failure.rows if row.get("submitted_by") == "市人社局")
    assert sheet.max_row - 1 == expected
    header = [cell.value for cell in sheet[1]]
    assert header[:7] == ["级别", "文件", "工作表", "行（段）", "列", "值", "规则"]


def test_html_reports_use_no_outside_resources(reports) -> None:
    _, dq, _ = reports
    for page in [dq / "index.html", dq / "市公安局.html", dq / "未识别单位.html"]:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img|iframe)\b", html, re.I), page.name
        assert not re.search(r"(src|href)=\"(https?:)?//", html), page.name
        assert "url(" not in html, page.name


# Headless Chromium ---------------------------------------------------------------------------------

def devtools_address(log: Path, browser: subprocess.Popen) -> str:
    """Wait for Chromium to print its DevTools endpoint (host:port) into its log."""
    while browser.poll() is None:
        if match := re.search(r"DevTools listening on ws://([\d.]+:\d+)/", log.read_text(errors="replace")):
            return match.group(1)
        time.sleep(0.1)
    raise AssertionError(f"chromium exited: {log.read_text(errors='replace')[-2000:]}")


def console_problems(page: Path, profile: Path) -> tuple[list[str], list[str]]:
    """(console errors and exceptions, requests leaving the local file) while Chromium loads ``page``."""
    from websockets.sync.client import connect

    profile.mkdir(parents=True, exist_ok=True)
    log = profile / "chromium.log"
    with log.open("w") as sink:
        browser = subprocess.Popen([CHROMIUM, *HEADLESS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                                    "about:blank"], stdout=sink, stderr=sink)
    try:
        with urllib.request.urlopen(f"http://{devtools_address(log, browser)}/json/list") as response:
            target = next(t for t in json.load(response) if t["type"] == "page")
        errors: list[str] = []
        outside: list[str] = []
        with connect(target["webSocketDebuggerUrl"], max_size=None) as socket:
            def call(number: int, method: str, params: dict | None = None) -> None:
                socket.send(json.dumps({"id": number, "method": method, "params": params or {}}))
                while json.loads(socket.recv(timeout=60)).get("id") != number:
                    pass

            for number, method in enumerate(["Runtime.enable", "Log.enable", "Network.enable", "Page.enable"], 1):
                call(number, method)
            socket.send(json.dumps({"id": 10, "method": "Page.navigate", "params": {"url": page.as_uri()}}))
            loaded = False
            while True:
                event = json.loads(socket.recv(timeout=60))
                method = event.get("method")
                params = event.get("params", {})
                if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                    errors.append(" ".join(str(arg.get("value")) for arg in params.get("args", [])))
                elif method == "Runtime.exceptionThrown":
                    errors.append(params["exceptionDetails"].get("text", "exception"))
                elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                    errors.append(params["entry"]["text"])
                elif method == "Network.requestWillBeSent":
                    url = params["request"]["url"]
                    if not url.startswith(("file:", "data:", "about:")):
                        outside.append(url)
                elif method == "Page.loadEventFired" and not loaded:
                    loaded = True  # one round trip more, so late console messages arrive first
                    socket.send(json.dumps({"id": 99, "method": "Runtime.evaluate", "params": {"expression": "1"}}))
                elif event.get("id") == 99:
                    return errors, outside
    finally:
        browser.kill()
        browser.wait()


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")


@needs_chromium
def test_console_check_can_fail(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>console.error('boom'); undefinedCall();</script>"
                    "</body></html>", encoding="utf-8")
    errors, _ = console_problems(page, tmp_path / "profile")
    assert any("boom" in error for error in errors) and len(errors) >= 2


@needs_chromium
@pytest.mark.parametrize("name", ["index", "市公安局", "未识别单位"])
def test_reports_render_in_headless_chromium_without_console_errors(reports, tmp_path: Path, name: str) -> None:
    _, dq, _ = reports
    errors, outside = console_problems(dq / f"{name}.html", tmp_path / "profile")
    assert errors == [] and outside == []


@needs_chromium
def test_department_report_renders_to_dom_and_screenshot(reports, tmp_path: Path) -> None:
    _, dq, _ = reports
    page = (dq / "市公安局.html").as_uri()
    common = [CHROMIUM, *HEADLESS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", page], capture_output=True, text=True, timeout=120, check=True)
    assert "市公安局 · 2024年10月报送数据质量报告" in dom.stdout
    shot = tmp_path / "report.png"
    subprocess.run([*common, f"--screenshot={shot}", "--window-size=1400,1600", "--hide-scrollbars", page],
                   capture_output=True, text=True, timeout=120, check=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_passed_checks_leave_out_the_ones_that_failed_for_the_department(reports) -> None:
    _, dq, _ = reports
    html = (dq / "市人社局.html").read_text(encoding="utf-8")
    passed = html.split("三、已通过的检查", 1)[1]
    assert "单元格无法读取，该行未入库" not in passed  # its bad_number row failed this check
    assert "地区不在地区目录中" in passed
