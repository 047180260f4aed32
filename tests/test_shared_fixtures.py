"""The suite's own sharing (tests/conftest.py): what is built once per run is built once even when
both xdist workers ask at the same moment, and a test that writes into it is caught."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LONGEST_FIRST, ROOT, assert_unchanged, built_once, copy_home

# Two "workers" (processes with PYTEST_XDIST_WORKER set) ask for the same folder at once; the build
# sleeps so that the second asks while the first is still building.
ASK = """
import sys, time
from pathlib import Path
from tests.conftest import built_once

class Factory:  # what built_once uses of pytest.TempPathFactory
    def getbasetemp(self):
        return Path(sys.argv[1])

def build(folder):
    with open(Path(sys.argv[1]).parent / "builds.log", "a") as log:
        log.write("built\\n")
    time.sleep(1)
    (folder / "warehouse.duckdb").write_text("month", encoding="utf-8")

print(built_once(Factory(), "home", build))
"""


def test_both_workers_get_one_build(tmp_path: Path) -> None:
    workers = []
    for name in ("gw0", "gw1"):
        (tmp_path / f"popen-{name}").mkdir()
        workers.append(subprocess.Popen(
            [sys.executable, "-c", ASK, str(tmp_path / f"popen-{name}")], cwd=ROOT, text=True,
            env=os.environ | {"PYTEST_XDIST_WORKER": name}, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    answers = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], answers
    assert {out.strip() for out, _ in answers} == {str(tmp_path / "home")}  # one folder, shared
    assert (tmp_path / "builds.log").read_text(encoding="utf-8") == "built\n"
    assert (tmp_path / "home" / "warehouse.duckdb").read_text(encoding="utf-8") == "month"


class Factory:
    """A worker's pytest.TempPathFactory as built_once sees it: ``<run>/popen-gw0``."""

    def __init__(self, run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.base = run / "popen-gw0"
        self.base.mkdir(exist_ok=True)
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")

    def getbasetemp(self) -> Path:
        return self.base


def test_a_write_into_a_shared_home_is_caught_and_a_copy_is_free_to_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def build(folder: Path) -> None:
        (folder / "publish").mkdir()
        (folder / "warehouse.duckdb").write_bytes(b"published")

    home = built_once(Factory(tmp_path, monkeypatch), "home", build)  # type: ignore[arg-type]
    assert home == tmp_path / "home"
    assert_unchanged(home)  # reading is fine

    copy = copy_home(home, tmp_path / "mine")
    (copy / "warehouse.duckdb").write_bytes(b"rerun")
    assert_unchanged(home)

    (home / "publish" / "bulletin.md").write_text("rebuilt", encoding="utf-8")
    with pytest.raises(AssertionError, match="publish/bulletin.md"):
        assert_unchanged(home)


def test_a_failed_build_is_retried_by_the_next_that_asks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(folder: Path) -> None:
        (folder / "half.duckdb").write_bytes(b"half")
        raise RuntimeError("month load failed")

    factory = Factory(tmp_path, monkeypatch)
    with pytest.raises(RuntimeError):
        built_once(factory, "home", broken)  # type: ignore[arg-type]
    home = built_once(factory, "home", lambda folder: (folder / "ok").touch())  # type: ignore[arg-type]
    assert sorted(path.name for path in home.iterdir()) == ["ok"]


def test_the_longest_modules_named_for_scheduling_exist() -> None:
    """A renamed module would silently lose its head start under xdist."""
    assert [name for name in LONGEST_FIRST if not (ROOT / name).is_file()] == []
