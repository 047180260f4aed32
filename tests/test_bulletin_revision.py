"""A revision received after publication does not change the bulletin of the month it revises
when that bulletin is rebuilt; the next month's bulletin notes the old and the new value."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import copy_home

REVISED_RETAIL = "报送单位,统计期,地区,指标名称,数值,单位,同比增长(%)\r\n市商务局,2024年1-9月,邵阳市,社会消费品零售总额,1140.2,亿元,5.9\r\n"


def test_rebuilt_bulletin_of_a_revised_month_is_unchanged(tmp_path: Path, run_yuebao, published_home: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "2024-11").mkdir(parents=True)
    (inbox / "2024-11" / "市商务局_2024年11月更正.csv").write_text(REVISED_RETAIL, encoding="utf-8")
    home = copy_home(published_home, tmp_path / "home")  # 2024-10 published from the sample inbox

    published = (home / "publish" / "2024-10" / "bulletin.md").read_bytes()
    second = run_yuebao("run", "--month", "2024-11", "--inbox", inbox, "--home", home)
    assert second.returncode == 0, second.stderr[-3000:]

    rebuilt = run_yuebao("bulletin", "--month", "2024-10", "--home", home)
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    assert (home / "publish" / "2024-10" / "bulletin.md").read_bytes() == published
    november = (home / "publish" / "2024-11" / "bulletin.md").read_text(encoding="utf-8")
    assert "社会消费品零售总额1140.2亿元" in november
    revision_notes = november.split("## 修订说明", 1)[1].split("\n## ", 1)[0]
    assert "公布为1135.4亿元，现为1140.2亿元" in revision_notes
