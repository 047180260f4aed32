"""Release approval: a reviewer's go-ahead for publishing a report month, from the portal or Airflow.

With approval required (``Settings.approval_required``, ``YUEBAO_APPROVAL_REQUIRED``: on in the
deployed stack, off for ``yuebao run`` and ``make demo``), the ``yuebao_monthly`` DAG renders the
draft, then waits in its
``approve_publication`` task — Airflow's human-in-the-loop ``ApprovalOperator`` — and publishes
only after an answer. Two ways to answer, one record:

- the Airflow UI (Required actions) answers the HITL request itself;
- the portal calls ``record_approval``: it appends the approval to ``<home>/approvals.jsonl`` (who,
  when, comment) and answers the pending HITL request — through the stack's REST API when
  ``Settings.airflow_api_url`` (``YUEBAO_AIRFLOW_API_URL``) is set, else in the metadata database
  of a local Airflow (the same handler the REST route calls). An approval recorded before the
  DAG reaches the wait is found there and the task does not wait (it must be later than the
  draft it approves).

``release_record`` gives the approval the publish step writes into the warehouse table
``pub_release_approvals`` (and the bulletin's colophon prints).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yuebao.settings import Settings

log = logging.getLogger(__name__)

DAG_ID = "yuebao_monthly"
TASK_ID = "approve_publication"
APPROVE = "Approve"  # ApprovalOperator.APPROVE
APPROVALS_FILE = "approvals.jsonl"
TABLE = "pub_release_approvals"


@dataclass(frozen=True)
class Approval:
    month: str
    approved_by: str
    approved_at: str  # ISO 8601, UTC
    comment: str = ""
    via: str = "portal"  # portal | airflow

    @property
    def approved_at_time(self) -> datetime:
        moment = datetime.fromisoformat(self.approved_at)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def approvals_file(home: Path) -> Path:
    return home / APPROVALS_FILE


def approvals(home: Path, month: str) -> list[Approval]:
    """Every approval recorded for ``month``, oldest first."""
    path = approvals_file(home)
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [_approval(record) for record in records if (record.get("month") or record.get("report_month")) == month]


def _approval(record: dict[str, Any]) -> Approval:
    """A line of approvals.jsonl (``report_month`` is accepted for ``month``)."""
    return Approval(month=record.get("month") or record["report_month"], approved_by=record["approved_by"],
                    approved_at=record["approved_at"], comment=record.get("comment") or "",
                    via=record.get("via") or "portal")


def approval_after(home: Path, month: str, draft_rendered_at: datetime | None) -> Approval | None:
    """The latest approval of ``month`` given after its draft was rendered (an older one approved
    another draft of the month)."""
    recorded = approvals(home, month)
    valid = [item for item in recorded if draft_rendered_at is None or item.approved_at_time >= draft_rendered_at]
    return valid[-1] if valid else None


def append_approval(home: Path, approval: Approval) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with approvals_file(home).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(approval), ensure_ascii=False) + "\n")


def record_approval(home: Path, month: str, approved_by: str, comment: str = "",
                    settings: Settings | None = None) -> Approval:
    """The portal's approve action: record who approved ``month`` and when, then answer the DAG's
    pending approval request if one is waiting (else the DAG finds the record when it gets there).
    ``settings`` (default: this process's environment) say where the Airflow API server is."""
    approval = Approval(month, approved_by, datetime.now(UTC).isoformat(timespec="seconds"), comment)
    append_approval(home, approval)
    try:
        answered = answer_pending(month, approval, settings or Settings.from_environ())
    except Exception as error:  # the record stands; the wait finds it on its next look or by the UI
        log.warning("approval of %s recorded; answering the waiting task failed: %s", month, error)
    else:
        log.info("approval of %s recorded%s", month, "; waiting task answered" if answered else "")
    return approval


def approve_pending(month: str, approved_by: str, comment: str = "", settings: Settings | None = None) -> str:
    """Answer a waiting approval of ``month`` for a caller that recorded the approval itself; says
    what happened (``record_approval`` does both)."""
    approval = Approval(month, approved_by, datetime.now(UTC).isoformat(timespec="seconds"), comment)
    answered = answer_pending(month, approval, settings or Settings.from_environ())
    return "answered the waiting DAG run" if answered else "no DAG run waiting"


def answer_pending(month: str, approval: Approval, settings: Settings) -> bool:
    """Answer the waiting ``approve_publication`` task of ``month``'s run, if any; True if answered:
    through the stack's REST API when ``settings.airflow_api_url`` is set, else in the metadata
    database of the local Airflow this process is configured for (Airflow's own settings)."""
    if settings.airflow_api_url:
        return _answer_through_rest_api(settings, month, approval)
    return _answer_in_metadata_db(month, approval)


def _payload(approval: Approval) -> dict[str, Any]:
    return {"chosen_options": [APPROVE],
            "params_input": {"approved_by": approval.approved_by, "comment": approval.comment}}


def _airflow_token(settings: Settings) -> str:
    import httpx

    password = settings.airflow_password
    if not password and settings.airflow_passwords_file:
        password = json.loads(settings.airflow_passwords_file.read_text(encoding="utf-8"))[settings.airflow_user]
    answer = httpx.post(f"{_api_url(settings)}/auth/token",
                        json={"username": settings.airflow_user, "password": password}, timeout=10)
    answer.raise_for_status()
    return answer.json()["access_token"]


def _api_url(settings: Settings) -> str:
    return (settings.airflow_api_url or "").rstrip("/")


def _answer_through_rest_api(settings: Settings, month: str, approval: Approval) -> bool:
    import httpx

    headers = {"Authorization": f"Bearer {_airflow_token(settings)}"}
    with httpx.Client(base_url=f"{_api_url(settings)}/api/v2", headers=headers, timeout=30) as api:
        pending = api.get(f"/dags/{DAG_ID}/dagRuns/~/hitlDetails",
                          params={"task_id": TASK_ID, "response_received": False})
        pending.raise_for_status()
        for detail in pending.json().get("hitl_details", []):
            instance = detail["task_instance"]
            if month not in (detail.get("subject") or ""):
                continue
            answer = api.patch(
                f"/dags/{DAG_ID}/dagRuns/{instance['dag_run_id']}/taskInstances/{TASK_ID}/"
                f"{instance.get('map_index', -1)}/hitlDetails", json=_payload(approval))
            answer.raise_for_status()
            return True
    return False


def _answer_in_metadata_db(month: str, approval: Approval) -> bool:
    """What the REST route does (``update_hitl_detail``), for a local Airflow without an API server
    (``yuebao run`` runs the DAG with ``dag.test()``, which waits for exactly this)."""
    from airflow.models.hitl import HITLDetail, HITLUser
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import handle_event_submit
    from airflow.triggers.base import TriggerEvent
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select

    with create_session() as session:
        waiting = session.scalars(select(TaskInstance).where(
            TaskInstance.dag_id == DAG_ID, TaskInstance.task_id == TASK_ID,
            TaskInstance.state == TaskInstanceState.AWAITING_INPUT)).all()
        for instance in waiting:
            detail = session.scalar(select(HITLDetail).where(HITLDetail.ti_id == instance.id))
            if detail is None or detail.response_received or month not in (detail.subject or ""):
                continue
            payload = _payload(approval)
            detail.responded_by = HITLUser(id=approval.approved_by, name=approval.approved_by)
            detail.responded_at = datetime.now(UTC)
            detail.chosen_options = payload["chosen_options"]
            detail.params_input = payload["params_input"]
            session.add(detail)
            handle_event_submit(TriggerEvent(detail.as_resume_event_payload()), task_instance=instance,
                                session=session)
            return True
    return False


def release_record(home: Path, month: str, draft_rendered_at: datetime | None,
                   answer: dict[str, Any] | None) -> Approval | None:
    """The approval a release publishes: the portal's record, else the Airflow UI's answer (which
    is then recorded too, so the portal shows it)."""
    recorded = approval_after(home, month, draft_rendered_at)
    if recorded is not None or not answer:
        return recorded
    responder = answer.get("responded_by_user") or {}
    params = answer.get("params_input") or {}
    responded_at = answer.get("responded_at") or datetime.now(UTC)
    if isinstance(responded_at, datetime):
        responded_at = responded_at.astimezone(UTC).isoformat(timespec="seconds")
    approval = Approval(month, params.get("approved_by") or responder.get("name") or responder.get("id") or "airflow",
                        str(responded_at), params.get("comment") or "", via="airflow")
    append_approval(home, approval)
    return approval


def write_release_approval(database: Path, approval: Approval) -> None:
    """``pub_release_approvals``: the month's approver, time and comment, in the build database."""
    import duckdb

    with duckdb.connect(str(database)) as con:
        con.execute(f"create table if not exists main.{TABLE} (report_month varchar, approved_by varchar,"
                    " approved_at timestamptz, comment varchar)")
        con.execute(f"delete from main.{TABLE} where report_month = ?", [approval.month])
        con.execute(f"insert into main.{TABLE} values (?, ?, cast(? as timestamptz), ?)",
                    [approval.month, approval.approved_by, approval.approved_at, approval.comment])
