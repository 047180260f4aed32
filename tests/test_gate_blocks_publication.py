"""A blocking quality failure stops publication: exit 3, the published warehouse untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import SAMPLE_INBOX, copy_inbox


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corrupt_file_exits_3_and_leaves_published_warehouse_byte_for_byte(tmp_path: Path, run_yuebao) -> None:
    home = tmp_path / "home"
    first = run_yuebao("run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", home)
    assert first.returncode == 0, first.stderr[-2000:]
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
