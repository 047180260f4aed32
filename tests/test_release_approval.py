"""With approval required, `yuebao run` renders the draft and waits; the month is published only
after a reviewer's approval (here the portal's `record_approval`, in another process), and the
approver is recorded in the warehouse's pub_release_approvals."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from tests.conftest import SAMPLE_INBOX, YUEBAO
from yuebao.approval import Approval, append_approval, approval_after, release_record

MONTH = "2024-10"
HOUSING_FILE = SAMPLE_INBOX / MONTH / "市住建局_2024年10月.csv"
# What the portal does, in its own process, once the DAG waits: wait for the HITL request, approve.
APPROVE_WHEN_WAITING = """
import sys, time
from pathlib import Path
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from airflow.models.taskinstance import TaskInstance
from airflow.utils.session import create_session
from airflow.utils.state import TaskInstanceState
from yuebao.approval import answer_pending, record_approval
from yuebao.settings import Settings

def waiting():
    try:
        with create_session() as session:
            return bool(session.scalars(select(TaskInstance).where(
                TaskInstance.task_id == "approve_publication",
                TaskInstance.state == TaskInstanceState.AWAITING_INPUT)).all())
    except OperationalError:  # not migrated yet, or busy
        return False

deadline = time.monotonic() + 400
while not waiting():
    if time.monotonic() > deadline:
        sys.exit("the DAG never waited for approval")
    time.sleep(1)
published = Path(sys.argv[1], "warehouse.duckdb").exists()
print("published-before-approval" if published else "unpublished-while-waiting", flush=True)
approval = record_approval(Path(sys.argv[1]), "2024-10", "王科长", "同意发布")
time.sleep(2)
while waiting():  # the answer did not land (a busy SQLite): answer again
    answer_pending("2024-10", approval, Settings.from_environ())
    time.sleep(2)
"""


def test_a_required_approval_holds_publication_until_the_reviewer_approves(tmp_path: Path,
                                                                           airflow_home: Path) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    (inbox / MONTH).mkdir(parents=True)
    shutil.copy(HOUSING_FILE, inbox / MONTH / HOUSING_FILE.name)
    env = os.environ | {"AIRFLOW_HOME": str(airflow_home), "YUEBAO_APPROVAL_REQUIRED": "true"}
    env.pop("YUEBAO_AIRFLOW_API_URL", None)
    run = subprocess.Popen([YUEBAO, "run", "--month", MONTH, "--inbox", str(inbox), "--home", str(home)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        approver = subprocess.run([sys.executable, "-c", APPROVE_WHEN_WAITING, str(home)], env=env,
                                  capture_output=True, text=True, timeout=600, check=False)
        assert approver.returncode == 0, approver.stderr[-3000:]
        assert approver.stdout.splitlines()[0] == "unpublished-while-waiting"
        assert (home / "build" / MONTH / "draft" / "bulletin.html").exists(), "the draft is there to review"
        _, stderr = run.communicate(timeout=600)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, stderr[-3000:]
    assert (home / "publish" / MONTH / "bulletin.html").exists()
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select report_month, approved_by, comment from pub_release_approvals").fetchall()
    assert rows == [(MONTH, "王科长", "同意发布")]


def test_an_approval_given_before_the_draft_does_not_approve_it(tmp_path: Path) -> None:
    earlier = datetime(2024, 11, 4, 2, 0, tzinfo=UTC)
    append_approval(tmp_path, Approval(MONTH, "王科长", earlier.isoformat()))
    assert approval_after(tmp_path, MONTH, earlier - timedelta(minutes=1)).approved_by == "王科长"
    assert approval_after(tmp_path, MONTH, earlier + timedelta(minutes=1)) is None
    assert approval_after(tmp_path, "2024-09", None) is None


def test_an_answer_in_the_airflow_ui_is_recorded_for_the_portal(tmp_path: Path) -> None:
    answer = {"chosen_options": ["Approve"], "params_input": {"approved_by": "", "comment": "可以发布"},
              "responded_at": datetime.now(UTC), "responded_by_user": {"id": "admin", "name": "admin"}}
    approval = release_record(tmp_path, MONTH, None, answer)
    assert (approval.approved_by, approval.comment, approval.via) == ("admin", "可以发布", "airflow")
    assert approval_after(tmp_path, MONTH, None) == approval


def test_without_required_approval_a_run_publishes_at_once_and_records_no_approval(published_home: Path) -> None:
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
    assert "fct_indicator_monthly" in tables
    assert "pub_release_approvals" not in tables
    assert not (published_home / "build" / MONTH / "draft").exists()
