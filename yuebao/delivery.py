"""Delivering data-quality reports and reminders by e-mail: the SMTP edge of the system.

``Mailer`` is the swappable edge: ``SmtpMailer`` sends through the Airflow connection
``yuebao_smtp`` with the SMTP provider's ``SmtpHook`` (SSL, STARTTLS, login, timeout and retries
as the connection's extras say), ``OutboxMailer`` writes ``.eml`` files under ``<home>/outbox/`` —
the demo's default when no connection is configured, and what tests can read.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ingestion.report_month import ReportMonth
from yuebao.settings import SMTP_CONN_ID

if TYPE_CHECKING:
    from yuebao.month_run import MonthRun
    from yuebao.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_SENDER = "yuebao@shaoyang.example.org"


class Mailer(Protocol):
    def send(self, message: EmailMessage, name: str) -> None:
        """Send one message; ``name`` identifies it (a department) for file-based mailers."""


@dataclass
class SmtpMailer:
    """Sends over the server of an Airflow SMTP connection, opened by ``SmtpHook``.

    The hook's own ``send_email_smtp`` builds a message from an HTML string and file paths; the
    reports are composed here (a plain-text part, the HTML alternative, attachments from memory),
    so the message goes out on the connection the hook opened and logged in.
    """

    conn_id: str = SMTP_CONN_ID

    def send(self, message: EmailMessage, name: str) -> None:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        with SmtpHook(smtp_conn_id=self.conn_id) as hook:
            hook._smtp_client.send_message(message)  # the client the hook connected and authenticated


@dataclass
class OutboxMailer:
    directory: Path

    def send(self, message: EmailMessage, name: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / f"{name}.eml").write_bytes(bytes(message))


def has_connection(conn_id: str) -> bool:
    """Whether the Airflow connection ``conn_id`` is configured (metadata database or environment)."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def mailer_for(home: Path, month: str, conn_id: str = SMTP_CONN_ID) -> Mailer:
    """SMTP through the Airflow connection when there is one; otherwise ``<home>/outbox/<month>/``."""
    if not has_connection(conn_id):
        log.info("no Airflow connection %s: writing messages to the outbox", conn_id)
        return OutboxMailer(Path(home) / "outbox" / month)
    return SmtpMailer(conn_id)


def contacts(seeds_dir: Path) -> dict[str, str]:
    """Department name → contact address, from the catalog's departments.csv."""
    with (seeds_dir / "departments.csv").open(encoding="utf-8") as handle:
        return {row["department_name"]: row["contact_email"] for row in csv.DictReader(handle)
                if row.get("contact_email")}


def report_message(month: str, department: str, recipient: str, html: Path, workbook: Path | None,
                   sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The report as an HTML mail with the report (.html and .xlsx) attached."""
    status = "阻止发布" if 'class="verdict blocked"' in html.read_text(encoding="utf-8") else "已生成"
    message = EmailMessage()
    message["Subject"] = f"【月报数据质量】{department} {month} 报送检查结果（{status}）"
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[-1])
    message.set_content(f"{department}：\n\n附件为 {month} 月报报送数据的质量检查报告（HTML 与 Excel 明细）。"
                        "请按报告中的修改建议更正后重新报送。\n\n市八大行动协调办（月报系统自动发送）")
    message.add_alternative(html.read_text(encoding="utf-8"), subtype="html")
    message.add_attachment(html.read_bytes(), maintype="text", subtype="html", filename=html.name)
    if workbook is not None and workbook.exists():
        message.add_attachment(workbook.read_bytes(), maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               filename=workbook.name)
    return message


@dataclass(frozen=True)
class DeliveryOutcome:
    sent: list[str]
    without_contact: list[str]

    def as_dict(self) -> dict[str, list[str]]:
        return {"sent": self.sent, "without_contact": self.without_contact}


def deliver_reports(dq_dir: Path, month: str, addresses: dict[str, str], mailer: Mailer) -> DeliveryOutcome:
    """E-mail each department's report (``<department>.html`` + ``.xlsx``) to its contact."""
    from publication.dq import SUMMARY_PAGE

    sent: list[str] = []
    without_contact: list[str] = []
    for html in sorted(dq_dir.glob("*.html")):
        if html.name == SUMMARY_PAGE:
            continue
        department = html.stem
        recipient = addresses.get(department)
        if not recipient:
            without_contact.append(department)  # e.g. 未识别单位: the summary page lists it
            continue
        mailer.send(report_message(month, department, recipient, html, html.with_suffix(".xlsx")), department)
        sent.append(department)
    log.info("reports delivered to %d department(s); no contact for %s", len(sent), without_contact or "none")
    return DeliveryOutcome(sent, without_contact)


# Reminders ---------------------------------------------------------------------------------------

def departments_owing(seeds_dir: Path) -> dict[str, int]:
    """Departments that own indicators in the catalog → how many they owe each month."""
    owing: dict[str, int] = {}
    with (seeds_dir / "indicators.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            owing[row["department"]] = owing.get(row["department"], 0) + 1
    return owing


def departments_delivered(inbox_month: Path, seeds_dir: Path) -> set[str]:
    """Departments that sent files in the month's inbox folder, as ingestion tells them (by the
    file's name, else by its rows' 报送单位)."""
    from ingestion.departments import DepartmentDirectory
    from ingestion.inbox import scan_inbox
    from ingestion.load import sender_of

    directory = DepartmentDirectory(seeds_dir / "departments.csv")
    senders = (sender_of(path, directory) for path in scan_inbox(inbox_month).files)
    return {sender for sender in senders if sender}


def report_month_due(today: date) -> str:
    """The report month whose files are due in ``today``'s month (the month before)."""
    return str(ReportMonth.of(today).previous())


def reminder_message(month: str, department: str, recipient: str, owed: int, day: int,
                     sender: str = DEFAULT_SENDER) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"【月报催报】{department} 尚未报送 {month} 月报数据"
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message.set_content(f"{department}：\n\n截至本月{day}日，尚未收到贵单位 {month} 的月报数据（应报 {owed} 项指标）。"
                        "请尽快将数据文件（.xlsx 或 .csv）放入月报收件目录。\n\n市八大行动协调办（月报系统自动发送）")
    return message


def send_reminders(inbox: Path, seeds_dir: Path, today: date, day: int, mailer: Mailer,
                   sent_log: Path) -> list[str]:
    """Remind every department that owes indicators and has sent nothing, once a day from the due day."""
    if today.day < day:
        return []
    month = report_month_due(today)
    delivered = departments_delivered(inbox / month, seeds_dir)
    addresses = contacts(seeds_dir)
    already = _sent_today(sent_log, today)
    reminded = []
    for department, owed in sorted(departments_owing(seeds_dir).items()):
        if department in delivered or department in already or not addresses.get(department):
            continue
        mailer.send(reminder_message(month, department, addresses[department], owed, day), f"催报_{department}")
        reminded.append(department)
    _record_sent(sent_log, today, reminded)
    return reminded


def _sent_today(sent_log: Path, today: date) -> set[str]:
    if not sent_log.exists():
        return set()
    entries: Iterable[dict[str, str]] = (json.loads(line) for line in sent_log.read_text(encoding="utf-8").splitlines()
                                         if line.strip())
    return {entry["department"] for entry in entries if entry["date"] == today.isoformat()}


def _record_sent(sent_log: Path, today: date, departments: list[str]) -> None:
    if not departments:
        return
    sent_log.parent.mkdir(parents=True, exist_ok=True)
    with sent_log.open("a", encoding="utf-8") as handle:
        for department in departments:
            handle.write(json.dumps({"date": today.isoformat(), "department": department}, ensure_ascii=False) + "\n")


def deliver_month_reports(run: MonthRun, settings: Settings) -> dict[str, list[str]]:
    """The DAG's delivery step: mail the month's reports, if the validate step wrote any."""
    if not run.documents:  # a backfill's earlier month: departments are not mailed about old submissions
        log.info("%s loaded without documents: reports kept in %s, not mailed", run.month, run.dq_dir)
        return DeliveryOutcome([], []).as_dict()
    if not run.gate_file.exists() or not run.dq_dir.is_dir():  # the gate did not run: no fresh reports
        log.info("no data-quality reports for %s: nothing to deliver", run.month)
        return DeliveryOutcome([], []).as_dict()
    mailer = mailer_for(run.home, run.month, settings.smtp_conn_id)
    outcome = deliver_reports(run.dq_dir, run.month, contacts(run.seeds_dir), mailer)
    return outcome.as_dict()
