"""A home is recognisably yuebao's, one process writes it at a time, and commands refuse bad
arguments up front (issue 17, points 2, 4, 5, 6 and 7), without loading a month."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLE_INBOX, YUEBAO
from yuebao.home import (
    BUILD_MARKER,
    EXIT_BUSY,
    LOCK_FILE,
    MARKER,
    HomeBusy,
    MonthNotPublished,
    NotAHome,
    NotOurs,
    assert_month_published,
    check_home,
    ensure_home,
    fresh_build_folder,
    held_lock_descriptors,
    home_lock,
    read_holder,
)

HOLD = """
import sys, time
from pathlib import Path
from yuebao.home import home_lock
with home_lock(Path(sys.argv[1]), purpose=sys.argv[2]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[3]))
    print(time.time(), flush=True)  # the last moment it holds the lock
"""


def hold_lock(home: Path, purpose: str, seconds: float = 60) -> subprocess.Popen[str]:
    """Another process holding the home's lock (as a run would) until it ends or is killed."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(home), purpose, str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def yuebao(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([YUEBAO, *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False)


def one_line(completed: subprocess.CompletedProcess[str]) -> str:
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    return lines[0]


# The marker and what yuebao deletes -------------------------------------------------------------

def test_a_home_yuebao_creates_is_marked_with_version_and_time(tmp_path: Path) -> None:
    home = ensure_home(tmp_path / "new" / "home")
    marker = json.loads((home / MARKER).read_text(encoding="utf-8"))
    assert marker["yuebao_home"] >= 1 and marker["created_at"].endswith("Z")
    assert ensure_home(home) == home  # a marked home is taken as it is


def test_a_non_empty_folder_that_is_not_a_home_is_refused_and_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / "documents"
    (mine / "build" / "warehouse").mkdir(parents=True)
    (mine / "build" / "warehouse" / "notes.txt").write_text("my own notes", encoding="utf-8")
    with pytest.raises(NotAHome, match="not a yuebao home"):
        ensure_home(mine)
    completed = yuebao("run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", mine)
    assert completed.returncode == 2 and "not a yuebao home" in one_line(completed)
    assert (mine / "build" / "warehouse" / "notes.txt").read_text(encoding="utf-8") == "my own notes"
    assert sorted(path.name for path in mine.rglob("*")) == ["build", "notes.txt", "warehouse"]


def test_an_empty_folder_becomes_a_home(tmp_path: Path) -> None:
    assert (ensure_home(tmp_path) / MARKER).is_file()


def test_a_home_made_before_the_marker_is_adopted_with_its_build_folders(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "warehouse.duckdb").write_bytes(b"")
    (tmp_path / "build" / "2024-10").mkdir(parents=True)
    (tmp_path / "build" / "2024-10" / "gate.json").write_text("{}", encoding="utf-8")
    assert (ensure_home(tmp_path) / MARKER).is_file()
    fresh_build_folder(tmp_path / "build" / "2024-10")  # an earlier yuebao's: emptied like ours
    assert not (tmp_path / "build" / "2024-10" / "gate.json").exists()


def test_a_build_folder_yuebao_did_not_make_is_never_emptied(tmp_path: Path) -> None:
    theirs = tmp_path / "build" / "2024-10"
    theirs.mkdir(parents=True)
    (theirs / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(NotOurs, match="not created by yuebao"):
        fresh_build_folder(theirs)
    assert (theirs / "thesis.docx").read_bytes() == b"years of work"


def test_a_run_stops_before_a_build_folder_it_did_not_make(tmp_path: Path) -> None:
    home = ensure_home(tmp_path / "home")
    theirs = home / "build" / "2024-10"
    theirs.mkdir(parents=True)
    (theirs / "thesis.docx").write_bytes(b"years of work")
    completed = yuebao("run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", home)
    assert completed.returncode == 2 and "not created by yuebao" in one_line(completed)
    assert (theirs / "thesis.docx").read_bytes() == b"years of work"


def test_a_build_folder_yuebao_made_is_emptied_and_marked_again(tmp_path: Path) -> None:
    ours = fresh_build_folder(tmp_path / "build" / "warehouse")
    (ours / "warehouse.duckdb").write_bytes(b"last month's build")
    fresh_build_folder(ours)
    assert [path.name for path in ours.iterdir()] == [BUILD_MARKER]


def test_a_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "home").write_text("x", encoding="utf-8")
    with pytest.raises(NotAHome, match="is a file"):
        check_home(tmp_path / "home")


# The lock ---------------------------------------------------------------------------------------

def test_a_second_holder_is_refused_with_the_first_ones_purpose_pid_and_start(tmp_path: Path) -> None:
    holder = hold_lock(tmp_path, "run 2024-12")
    try:
        with pytest.raises(HomeBusy) as refusal, home_lock(tmp_path, "run 2024-11"):
            pass
        message = str(refusal.value)
        assert "run 2024-12" in message and f"pid {holder.pid}" in message and "started 20" in message
        assert "\n" not in message
        assert refusal.value.holder is not None and refusal.value.holder.pid == holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    holder = hold_lock(tmp_path, "run 2024-12")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with home_lock(tmp_path, "run 2024-11") as me:  # no stale lock to clean up by hand
        assert read_holder(tmp_path) == me
    assert (tmp_path / LOCK_FILE).read_text(encoding="utf-8") == ""  # released: no holder recorded


def test_wait_queues_behind_the_holder(tmp_path: Path) -> None:
    holder = hold_lock(tmp_path, "run 2024-12", seconds=1.5)
    waited: list[object] = []
    with home_lock(tmp_path, "waive 2024-12", wait=True, on_wait=waited.append) as me:
        granted = time.time()
        assert me.purpose == "waive 2024-12"
    assert holder.stdout is not None
    last_held = float(holder.stdout.readline())
    assert granted >= last_held, "the lock was granted while the first holder still held it"
    assert len(waited) == 1 and getattr(waited[0], "pid", None) == holder.pid
    holder.wait()


def test_a_child_of_the_holder_works_under_its_lock(tmp_path: Path) -> None:
    child = "import sys; from pathlib import Path; from yuebao.home import home_lock\n" \
            "with home_lock(Path(sys.argv[1]), 'backfill chunk'): print('inherited')"
    with home_lock(tmp_path, "backfill 2024-01..2024-03"):
        completed = subprocess.run([sys.executable, "-c", child, str(tmp_path)], capture_output=True, text=True,
                                   check=False)
    assert completed.stdout.strip() == "inherited", completed.stderr


KILLED_WITH_A_CHILD = """
import subprocess, sys, time
from pathlib import Path
from yuebao.home import held_lock_descriptors, home_lock
with home_lock(Path(sys.argv[1]), "backfill 2024-01..2024-03"):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2)"], pass_fds=held_lock_descriptors())
    print("locked", flush=True)
    time.sleep(60)
"""


def test_after_a_killed_holder_its_children_are_given_a_moment_to_let_go(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", KILLED_WITH_A_CHILD, str(tmp_path)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    with home_lock(tmp_path, "backfill 2024-01..2024-03"):  # "rerun the same command to resume"
        pass


def test_the_lock_is_reentrant_within_its_holder(tmp_path: Path) -> None:
    with home_lock(tmp_path, "run 2024-10") as outer, home_lock(tmp_path, "bulletin 2024-10") as inner:
        assert inner == outer
    with home_lock(tmp_path, "run 2024-11"):
        pass


def test_a_child_given_the_lock_keeps_the_home_locked_after_its_parent_is_gone(tmp_path: Path) -> None:
    child = "import sys, time; print('started', flush=True); time.sleep(30)"
    with home_lock(tmp_path, "backfill 2024-01..2024-03"):
        worker = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True,
                                  pass_fds=held_lock_descriptors())
        assert worker.stdout is not None and worker.stdout.readline().strip() == "started"
    try:
        with pytest.raises(HomeBusy), home_lock(tmp_path, "run 2024-04"):
            pass
    finally:
        worker.kill()
        worker.wait()
    with home_lock(tmp_path, "run 2024-04"):
        pass


@pytest.mark.parametrize("command", [
    ["run", "--month", "2024-10", "--inbox", SAMPLE_INBOX],
    ["backfill", "--from", "2024-10", "--to", "2024-10", "--inbox", SAMPLE_INBOX],
    ["bulletin", "--month", "2024-10"],
    ["waive", "--month", "2024-10", "--department", "市公安局", "--rule", "negative_value", "--by", "王主任",
     "--reason", "核实"],
])
def test_every_writing_command_refuses_a_busy_home_in_one_line(tmp_path: Path, command: list[object]) -> None:
    home = published_home_of(tmp_path, "2024-10")
    holder = hold_lock(home, "run 2024-12")
    try:
        completed = yuebao(*command, "--home", home)
    finally:
        holder.kill()
        holder.wait()
    assert completed.returncode == EXIT_BUSY, completed.stderr
    line = one_line(completed)
    assert "busy" in line and "run 2024-12" in line and f"pid {holder.pid}" in line and "--wait" in line


# The post-condition of publish --------------------------------------------------------------------

def test_publish_refuses_to_report_a_month_the_published_warehouse_lacks(tmp_path: Path) -> None:
    """What the lost update did: the month's build was published, then replaced under it."""
    home = published_home_of(tmp_path, "2024-11")  # someone else's month landed in its place
    built = {"landing.files": 1, "main.fct_indicator_as_published": 0}
    with pytest.raises(MonthNotPublished, match="does not hold 2024-12"):
        assert_month_published(home / "warehouse.duckdb", "2024-12", built)
    assert_month_published(home / "warehouse.duckdb", "2024-11", built)
    with pytest.raises(MonthNotPublished):
        assert_month_published(tmp_path / "nowhere.duckdb", "2024-11", built)


# Arguments checked up front ---------------------------------------------------------------------

@pytest.fixture
def hostile_paths(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "a_file").write_text("not a folder", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    return {"file": tmp_path / "a_file", "missing": tmp_path / "missing", "empty": tmp_path / "empty"}


BAD_ARGUMENTS = [
    # (command with placeholders, words the one-line refusal must contain)
    (["run", "--month", "2024-10\n", "--inbox", SAMPLE_INBOX, "--home", "{empty}"], "YYYY-MM"),
    (["run", "--month", "2024-13", "--inbox", SAMPLE_INBOX, "--home", "{empty}"], "YYYY-MM"),
    (["run", "--month", " 2024-10", "--inbox", SAMPLE_INBOX, "--home", "{empty}"], "YYYY-MM"),
    (["run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", "{file}"], "is a file"),
    (["run", "--month", "2024-10", "--inbox", "{missing}", "--home", "{empty}"], "does not exist"),
    (["run", "--month", "2024-10", "--inbox", "{file}", "--home", "{empty}"], "not a folder"),
    (["run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", "{empty}", "--reference", "{missing}"],
     "--reference"),
    (["run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", "{empty}", "--reference", "{empty}"],
     "lacks"),
    (["run", "--month", "2031-01", "--inbox", SAMPLE_INBOX, "--home", "{empty}"], "does not exist"),
    (["backfill", "--from", "2024-10\n", "--to", "2024-10", "--inbox", SAMPLE_INBOX, "--home", "{empty}"], "--from"),
    (["backfill", "--from", "2024-10", "--to", "2024-09", "--inbox", SAMPLE_INBOX, "--home", "{empty}"], "after"),
    (["backfill", "--from", "2024-10", "--to", "2024-10", "--inbox", SAMPLE_INBOX, "--home", "{file}"], "is a file"),
    (["backfill", "--from", "2024-10", "--to", "2024-10", "--inbox", SAMPLE_INBOX, "--home", "{empty}",
      "--reference", "{missing}"], "--reference"),
    (["bulletin", "--month", "2024-10\n", "--home", "{empty}"], "YYYY-MM"),
    (["bulletin", "--month", "2024-10", "--home", "{file}"], "is a file"),
    (["bulletin", "--month", "2024-10", "--home", "{missing}"], "does not exist"),
    (["waive", "--month", "2024-10\n", "--department", "市公安局", "--rule", "negative_value", "--by", "王",
      "--reason", "核实", "--home", "{empty}"], "YYYY-MM"),
    (["waive", "--month", "2024-10", "--department", "市公安局", "--rule", "negative_value", "--by", "王",
      "--reason", "核实", "--home", "{missing}"], "does not exist"),
    (["synth", "--regions", "13", "--indicators", "6", "--months", "1", "--seed", "1", "--out", "{file}"], "is a file"),
    (["synth", "--regions", "13", "--indicators", "6", "--months", "1", "--seed", "1", "--out", "{missing}",
      "--start", "2024-10\n"], "YYYY-MM"),
    (["grant-analyst", "--role", "x; drop role postgres"], "--role"),
]


@pytest.mark.parametrize("command, complaint", BAD_ARGUMENTS,
                         ids=[" ".join(map(str, command[:3])).replace("\n", "\\n") + f" ({complaint})"
                              for command, complaint in BAD_ARGUMENTS])
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(hostile_paths: dict[str, Path], command: list[object],
                                                              complaint: str) -> None:
    before = {path.name: sorted(path.rglob("*")) for path in hostile_paths.values() if path.is_dir()}
    completed = yuebao(*(str(part).format(**hostile_paths) for part in command))
    assert completed.returncode == 2, completed.stderr
    line = one_line(completed)
    assert complaint in line and "Traceback" not in completed.stderr
    assert not hostile_paths["missing"].exists()
    assert {path.name: sorted(path.rglob("*")) for path in hostile_paths.values() if path.is_dir()} == before


# waive and bulletin only about months that were loaded -------------------------------------------

def published_home_of(tmp_path: Path, month: str) -> Path:
    """A home whose published warehouse holds ``month`` only (no month is loaded here)."""
    home = ensure_home(tmp_path / "home")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("create schema landing; create table landing.files (report_month date, source_file varchar)")
        con.execute("insert into landing.files values (?, 'x.csv')", [f"{month}-01"])
    gate = home / "build" / month / "gate.json"
    gate.parent.mkdir(parents=True)
    gate.write_text("{}", encoding="utf-8")
    return home


def test_bulletin_of_a_month_never_loaded_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    home = published_home_of(tmp_path, "2024-10")
    before = sorted(home.rglob("*"))
    completed = yuebao("bulletin", "--month", "2031-01", "--home", home)
    assert completed.returncode == 2 and "2031-01 was never published" in one_line(completed)
    assert not (home / "publish").exists()
    assert sorted(home.rglob("*")) == before


WAIVE = ["--department", "市公安局", "--rule", "negative_value"]


def test_waive_refuses_a_month_never_loaded(tmp_path: Path) -> None:
    home = published_home_of(tmp_path, "2024-10")
    completed = yuebao("waive", "--month", "2024-09", *WAIVE, "--by", "王主任", "--reason", "核实", "--home", home)
    assert completed.returncode == 2 and "never loaded" in one_line(completed)
    assert not (home / "waivers.jsonl").exists()


def test_waive_refuses_a_home_that_does_not_exist_and_does_not_create_it(tmp_path: Path) -> None:
    completed = yuebao("waive", "--month", "2024-10", *WAIVE, "--by", "王主任", "--reason", "核实",
                       "--home", tmp_path / "nowhere")
    assert completed.returncode == 2 and "does not exist" in one_line(completed)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("option, value", [
    ("--by", "王主任\n{\"month\": \"2024-10\", \"rule\": \"everything\"}"),
    ("--reason", "核实\r\n另起一行"),
    ("--reason", "核实\x1b[2J"),
    ("--by", "王\u2028主任"),
])
def test_waive_refuses_newlines_and_control_characters(tmp_path: Path, option: str, value: str) -> None:
    home = published_home_of(tmp_path, "2024-10")
    texts = {"--by": "王主任", "--reason": "核实"} | {option: value}
    completed = yuebao("waive", "--month", "2024-10", *WAIVE, "--by", texts["--by"], "--reason", texts["--reason"],
                       "--home", home)
    assert completed.returncode == 2 and option in one_line(completed)
    assert not (home / "waivers.jsonl").exists()


def test_waive_of_a_loaded_month_is_recorded(tmp_path: Path) -> None:
    home = published_home_of(tmp_path, "2024-10")
    completed = yuebao("waive", "--month", "2024-10", *WAIVE, "--by", "王主任", "--reason", "核实", "--home", home)
    assert completed.returncode == 0, completed.stderr
    [line] = (home / "waivers.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["waived_by"] == "王主任"

