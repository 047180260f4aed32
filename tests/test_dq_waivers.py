"""`yuebao waive` records who waived which check, when and why; nothing else gets past the gate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from expectations.waivers import load_waivers, record_waiver
from yuebao.cli import main
from yuebao.home import ensure_home


def test_waive_records_who_when_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ensure_home(tmp_path)
    (tmp_path / "build" / "2024-10").mkdir(parents=True)
    (tmp_path / "build" / "2024-10" / "gate.json").write_text("{}", encoding="utf-8")  # the month was checked
    code = main(["waive", "--month", "2024-10", "--department", "公安局", "--rule", "negative_value",
                 "--by", "王主任", "--reason", "冲减更正", "--home", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    [line] = (tmp_path / "waivers.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record | {"waived_at": None} == {"month": "2024-10", "department": "市公安局", "rule": "negative_value",
                                            "waived_by": "王主任", "reason": "冲减更正", "waived_at": None}
    assert datetime.fromisoformat(record["waived_at"].replace("Z", "+00:00")).tzinfo is not None


def test_waivers_accumulate_and_are_read_per_month(tmp_path: Path) -> None:
    moment = datetime(2024, 11, 4, 2, 0, tzinfo=UTC)
    record_waiver(tmp_path, "2024-10", "市公安局", "negative_value", "王主任", "核实", moment)
    record_waiver(tmp_path, "2024-11", "市商务局", "rank_out_of_range", "李科长", "口径调整", moment)
    assert [w.department for w in load_waivers(tmp_path)] == ["市公安局", "市商务局"]
    assert [w.rule for w in load_waivers(tmp_path, "2024-11")] == ["rank_out_of_range"]
    assert load_waivers(tmp_path, "2024-10")[0].waived_at == "2024-11-04T02:00:00Z"


@pytest.mark.parametrize("args, complaint", [
    (["--department", "不存在局", "--rule", "negative_value"], "unknown department"),
    (["--department", "市公安局", "--rule", "no_such_rule"], "unknown rule"),
    (["--department", "市公安局", "--rule", "negative_value", "--month", "2024-13"], "YYYY-MM"),
])
def test_waive_refuses_what_it_cannot_check(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            args: list[str], complaint: str) -> None:
    month = [] if "--month" in args else ["--month", "2024-10"]
    code = main(["waive", *month, *args, "--by", "王主任", "--reason", "核实", "--home", str(tmp_path)])
    assert code == 2 and complaint in capsys.readouterr().err
    assert not (tmp_path / "waivers.jsonl").exists()


def test_a_waiver_needs_a_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["waive", "--month", "2024-10", "--department", "市公安局", "--rule", "negative_value",
                 "--by", "王主任", "--reason", "  ", "--home", str(tmp_path)])
    assert code == 2 and "reason" in capsys.readouterr().err
