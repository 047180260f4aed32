"""The coordination office's work: the delivery tracker, returning a submission, approving a month."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.settings import PortalSettings
from portal.store.models import Account, Approval, Comment, Setting, Submission
from portal.units import Unit, reporting_units, unit_in_text, units_owing
from yuebao.delivery import DEFAULT_SENDER, Mailer, OutboxMailer, contacts

log = logging.getLogger(__name__)
BEIJING = timezone(timedelta(hours=8))
STATUS_LABELS = {"received": "已报送", "late": "逾期报送", "missing": "未报送", "returned": "已退回",
                 "waiting": "未报送（未到期）"}


def reminder_day(db: Session, default: int) -> int:
    """The due day (day of the month after the report month): the admin's setting, else ``default``
    (the deployment's ``YUEBAO_REMINDER_DAY``)."""
    stored = db.scalar(select(Setting.value).where(Setting.key == "reminder_day"))
    return int(stored) if stored is not None else default


def anonymous_data_access(db: Session) -> bool:
    """The admin's setting: may the data API be read without an account (off by default)."""
    return db.scalar(select(Setting.value).where(Setting.key == "anonymous_data_access")) == "true"


def set_setting(db: Session, key: str, value: str) -> None:
    found = db.scalar(select(Setting).where(Setting.key == key))
    if found is None:
        db.add(Setting(key=key, value=value))
    else:
        found.value = value


def due_at(month: str, day: int) -> datetime:
    """The end of the due day (Beijing time) in the month after ``month``: the monthly gate's deadline."""
    from expectations.gate import due_at as gate_due_at

    return gate_due_at(month, day).replace(tzinfo=UTC).astimezone(BEIJING)


@dataclass(frozen=True)
class TrackerRow:
    unit: Unit
    status: str  # received | late | missing | waiting | returned
    uploads: int
    latest: Submission | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def tracker(db: Session, settings: PortalSettings, month: str, now: datetime | None = None) -> list[TrackerRow]:
    """Per unit the tracker follows: its delivery status for ``month`` from the portal's receipts and
    the files dropped straight into the inbox folder (dated by their modification time)."""
    now = now or datetime.now(UTC)
    due = due_at(month, reminder_day(db, settings.deployment.reminder_day))
    submissions = db.scalars(select(Submission).where(Submission.report_month == month)
                             .order_by(Submission.received_at)).all()
    dropped = _dropped_in_inbox(settings, month)
    units = list(units_owing(settings.catalog_dir))
    known = {unit.name for unit in units}
    units += [unit for unit in reporting_units(settings.catalog_dir)
              if unit.name not in known and any(s.unit == unit.name for s in submissions)]
    rows = []
    for unit in units:
        own = [submission for submission in submissions if submission.unit == unit.name]
        accepted = [submission.received_at for submission in own if submission.status != "rejected"]
        accepted += dropped.get(unit.name, [])
        latest = own[-1] if own else None
        if latest is not None and latest.returned_at is not None:
            status = "returned"
        elif accepted:
            status = "late" if min(accepted) > due else "received"
        else:
            status = "missing" if now > due else "waiting"
        rows.append(TrackerRow(unit, status, len(own), latest))
    return rows


def _dropped_in_inbox(settings: PortalSettings, month: str) -> dict[str, list[datetime]]:
    """Files in the month's inbox folder (placed by the portal or dropped there): the unit their name
    points to → the files' modification times (their submission times, as the monthly report judges)."""
    from ingestion.load import inbox_files

    found: dict[str, list[datetime]] = {}
    for path in inbox_files(settings.inbox / month):
        if unit := unit_in_text(settings.catalog_dir, path.name):
            found.setdefault(unit, []).append(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    return found


def return_submission(db: Session, settings: PortalSettings, submission: Submission, reviewer: Account,
                      comment: str, mailer: Mailer, ip: str | None = None) -> Comment:
    """Send a submission back to its unit with the office's comment; the unit is notified by mail."""
    now = datetime.now(UTC)
    submission.returned_at = now
    note = Comment(submission_id=submission.id, author_id=reviewer.id, text=comment, created_at=now)
    db.add(note)
    audit.record(db, "return", reviewer.username, ip=ip, target=f"submission {submission.id}",
                 detail=f"{submission.unit} · {submission.report_month} · {comment[:200]}")
    recipient = contacts(settings.catalog_dir).get(submission.unit)
    if recipient:
        mailer.send(return_message(submission, comment, recipient), f"退回_{submission.unit}_{submission.id}")
    else:
        log.info("no contact address for %s: the comment is shown in the portal only", submission.unit)
    return note


def return_message(submission: Submission, comment: str, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"【月报退回】{submission.unit} {submission.report_month} 报送文件需修改后重报"
    message["From"] = DEFAULT_SENDER
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message.set_content(f"{submission.unit}：\n\n贵单位报送的文件“{submission.file_name}”（回执编号 {submission.id}）"
                        f"已被市协调办退回，意见如下：\n\n{comment}\n\n请登录月报报送平台查看并重新报送。\n\n"
                        "市八大行动协调办（月报系统自动发送）")
    return message


def default_mailer(settings: PortalSettings, month: str) -> Mailer:
    """The delivery module's mailer: SMTP when configured, else ``.eml`` files in ``<home>/outbox/<month>/``."""
    if settings.airflow_configured:
        from yuebao.delivery import mailer_for

        return mailer_for(settings.home, month, settings.deployment.smtp_conn_id)
    return OutboxMailer(settings.home / "outbox" / month)


def approve_month(db: Session, settings: PortalSettings, month: str, reviewer: Account, comment: str = "",
                  ip: str | None = None) -> Approval:
    """Record the office's approval of ``month``'s publication: in the portal's store, and in the release
    record the monthly DAG reads (``yuebao.approval``), which also answers its waiting approval task."""
    approved_at = record_release_approval(settings, month, reviewer.username, comment)
    approval = Approval(report_month=month, approved_by=reviewer.username, approved_at=approved_at, comment=comment)
    db.add(approval)
    audit.record(db, "approve", reviewer.username, ip=ip, target=month, detail=comment[:200])
    return approval


def record_release_approval(settings: PortalSettings, month: str, approved_by: str, comment: str) -> datetime:
    """The hand-over to the DAG (``yuebao.approval``): a line of ``<home>/approvals.jsonl``, published
    as ``pub_release_approvals``; where Airflow is configured, the DAG's waiting task is answered too."""
    from yuebao.approval import Approval as Release
    from yuebao.approval import append_approval, approve_pending

    approved_at = datetime.now(UTC).replace(microsecond=0)
    append_approval(settings.home, Release(month, approved_by, approved_at.isoformat(), comment))
    if settings.airflow_configured:
        try:
            log.info("%s: %s", month, approve_pending(month, approved_by, comment, settings.deployment))
        except Exception as error:  # noqa: BLE001 - the record stands; the DAG finds it, or the UI answers
            log.warning("approval of %s recorded; answering the waiting task failed: %s", month, error)
    return approved_at


def approvals(db: Session, month: str) -> list[Approval]:
    return list(db.scalars(select(Approval).where(Approval.report_month == month).order_by(Approval.approved_at)))
