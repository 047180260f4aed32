"""A department's corrected file, sent later for the same month, supersedes its first version.

Both versions stay: the first in the raw archive and in ``fct_observation_vintages``; the second's
value is the one in ``fct_indicator_monthly``. The second inbox holds only the corrected file: every
other file of the month is re-read from the archive.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from tests.conftest import SAMPLE_INBOX, copy_home

MONTH = "2024-10"
ORIGINAL = "市住建局_2024年10月.csv"
REVISION = "市住建局_2024年10月_修订.csv"  # same department, the name of a revision
KEY = "indicator_code = 'overdue_resettlement_resolved' and region_code = '430500'"


def test_a_resubmission_wins_and_the_first_version_stays(run_yuebao, tmp_path: Path, published_home: Path) -> None:
    home = copy_home(published_home, tmp_path / "home")  # the sample month, published from SAMPLE_INBOX

    second_inbox = tmp_path / "second" / MONTH
    second_inbox.mkdir(parents=True)
    revised = second_inbox / REVISION
    original_text = (SAMPLE_INBOX / MONTH / ORIGINAL).read_text(encoding="utf-8")
    assert ",939," in original_text
    revised.write_text(original_text.replace(",939,", ",950,"), encoding="utf-8")
    later = (SAMPLE_INBOX / MONTH / ORIGINAL).stat().st_mtime + 2 * 86400
    os.utime(revised, (later, later))
    second = run_yuebao("run", "--month", MONTH, "--inbox", second_inbox.parent, "--home", home)
    assert second.returncode == 0, second.stderr[-3000:]

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        in_force = con.execute(f"select value, source_file from fct_indicator_monthly where {KEY}").fetchall()
        vintages = con.execute(
            f"select value, source_file, is_current from fct_observation_vintages where {KEY} order by value"
        ).fetchall()
    assert in_force == [(950.0, REVISION)]
    assert vintages == [(939.0, ORIGINAL, False), (950.0, REVISION, True)]

    manifest = [json.loads(line) for line in (home / "raw" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    first_version = next(entry for entry in manifest if entry["original_name"] == ORIGINAL)
    assert (home / first_version["archive_path"]).read_text(encoding="utf-8") == original_text
    assert first_version["submitted_by"] == "市住建局" and first_version["received_at"]
