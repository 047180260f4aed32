"""A blocking quality failure stops publication: exit 3, the published warehouse untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import SAMPLE_INBOX, copy_home, copy_inbox


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corrupt_file_exits_3_and_leaves_published_warehouse_byte_for_byte(tmp_path: Path, run_yuebao,
                                                                          published_home: Path) -> None:
    home = copy_home(published_home, tmp_path / "home")  # the sample month, published
    published = home / "warehouse.duckdb"
    before = sha256(published)

    inbox = copy_inbox(tmp_path / "inbox")
    (inbox / "2024-10" / "市工信局_2024年10月报表.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    blocked = run_yuebao("run", "--month", "2024-10", "--inbox", inbox, "--home", home)

    assert blocked.returncode == 3, blocked.stderr[-2000:]
    assert "quality gate blocked publication" in blocked.stderr.splitlines()[-1]
    assert sha256(published) == before
    gate = json.loads((home / "build" / "2024-10" / "gate.json").read_text(encoding="utf-8"))
    failing = [f for f in gate["failures"] if f["severity"] == "blocking"]
    assert failing[0]["suite"] == "received_files"
    assert failing[0]["rows"][0]["source_file"] == "市工信局_2024年10月报表.xlsx"


def test_bad_month_argument_is_a_usage_error(run_yuebao, tmp_path: Path) -> None:
    completed = run_yuebao("run", "--month", "2024-13", "--inbox", SAMPLE_INBOX, "--home", tmp_path)
    assert completed.returncode == 2
    assert "YYYY-MM" in completed.stderr


def test_negative_count_blocks_with_reports_and_a_recorded_waiver_publishes(tmp_path: Path, run_yuebao,
                                                                           published_home: Path) -> None:
    import duckdb

    home = copy_home(published_home, tmp_path / "home")
    published = home / "warehouse.duckdb"
    before = sha256(published)
    inbox = copy_inbox(tmp_path / "inbox")
    police = inbox / "2024-10" / "市公安局_社会治安_2024年1-10月.csv"
    text = police.read_text(encoding="utf-8")
    police.write_text(text.replace("食药环犯罪移送起诉人数,407,", "食药环犯罪移送起诉人数,-407,"), encoding="utf-8")

    blocked = run_yuebao("run", "--month", "2024-10", "--inbox", inbox, "--home", home)

    assert blocked.returncode == 3, blocked.stderr[-2000:]
    assert sha256(published) == before
    gate = json.loads((home / "build" / "2024-10" / "gate.json").read_text(encoding="utf-8"))
    [negative] = [f for f in gate["failures"] if f["rule"] == "negative_value"]
    assert negative["severity"] == "blocking" and negative["rows"][0]["source_row"] == 2
    report = (home / "publish" / "2024-10" / "dq" / "市公安局.html").read_text(encoding="utf-8")
    assert "negative_value" in report and "本月数据未能发布" in report  # written although nothing was published
    assert (home / "outbox" / "2024-10" / "市公安局.eml").exists()  # delivered although the gate blocked

    waived = run_yuebao("waive", "--month", "2024-10", "--department", "市公安局", "--rule", "negative_value",
                        "--by", "王主任", "--reason", "负数为冲减更正，已电话核实", "--home", home)
    assert waived.returncode == 0, waived.stderr
    published_run = run_yuebao("run", "--month", "2024-10", "--inbox", inbox, "--home", home)

    assert published_run.returncode == 0, published_run.stderr[-2000:]
    gate = json.loads((home / "build" / "2024-10" / "gate.json").read_text(encoding="utf-8"))
    [negative] = [f for f in gate["failures"] if f["rule"] == "negative_value"]
    assert negative["waived"] and not gate["blocked"]
    assert gate["waivers"][0]["waived_by"] == "王主任"
    with duckdb.connect(str(published), read_only=True) as con:
        audit = con.execute("select department, rule, waived_by, reason from dq_waivers").fetchall()
        history = con.execute("select waived, blocked_publication from dq_failure_history"
                              " where rule = 'negative_value'").fetchall()
    assert audit == [("市公安局", "negative_value", "王主任", "负数为冲减更正，已电话核实")]
    assert history == [(1, False)]
    bulletin = (home / "publish" / "2024-10" / "bulletin.md").read_text(encoding="utf-8")
    # the bulletin footnotes the waiver (notes are Markdown-escaped: negative\_value renders as negative_value)
    assert "市公安局的“negative\\_value”检查未通过，由王主任" in bulletin
