"""Delivering reports: over a real SMTP server on loopback through the Airflow connection, to the
outbox when none is configured; reminders to departments that have not delivered by the due day."""

from __future__ import annotations

import email
import shutil
import socket
from datetime import date
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from yuebao import SEEDS_DIR
from yuebao.delivery import (
    OutboxMailer,
    SmtpMailer,
    contacts,
    deliver_reports,
    mailer_for,
    send_reminders,
)
from yuebao.settings import Settings

MONTH = "2024-10"


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture()
def dq_dir(tmp_path: Path) -> Path:
    """A month's report folder: two departments' reports, one of unidentified input, the summary."""
    folder = tmp_path / "publish" / MONTH / "dq"
    folder.mkdir(parents=True)
    for name, verdict in [("市公安局", "blocked"), ("市商务局", "pass"), ("未识别单位", "blocked")]:
        (folder / f"{name}.html").write_text(f'<html><body><div class="verdict {verdict}">{name}</div></body></html>',
                                             encoding="utf-8")
        (folder / f"{name}.xlsx").write_bytes(b"PK-workbook-" + name.encode())
    (folder / "index.html").write_text("<html>summary</html>", encoding="utf-8")
    return folder


def attachments(message: Message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in message.walk() if part.get_filename()}


def test_reports_go_over_smtp_through_the_airflow_connection(smtp_server, dq_dir: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    controller, inbox = smtp_server
    # A plain loopback server: the connection turns off SmtpHook's default SSL and STARTTLS.
    monkeypatch.setenv("AIRFLOW_CONN_YUEBAO_SMTP",
                       f"smtp://127.0.0.1:{controller.port}?disable_ssl=true&disable_tls=true&retry_limit=0")
    mailer = mailer_for(tmp_path, MONTH)
    assert isinstance(mailer, SmtpMailer) and mailer.conn_id == "yuebao_smtp"

    outcome = deliver_reports(dq_dir, MONTH, contacts(SEEDS_DIR), mailer)

    assert sorted(outcome.sent) == ["市公安局", "市商务局"] and outcome.without_contact == ["未识别单位"]
    assert len(inbox.messages) == 2
    by_recipient = {message["To"]: message for message in inbox.messages}
    police = by_recipient["gaj@shaoyang.example.org"]
    assert "市公安局" in str(email.header.make_header(email.header.decode_header(police["Subject"])))
    assert "阻止发布" in str(email.header.make_header(email.header.decode_header(police["Subject"])))
    files = attachments(police)
    assert set(files) == {"市公安局.html", "市公安局.xlsx"}
    assert files["市公安局.xlsx"] == b"PK-workbook-" + "市公安局".encode()
    assert set(attachments(by_recipient["swj@shaoyang.example.org"])) == {"市商务局.html", "市商务局.xlsx"}


def test_without_a_connection_messages_land_in_the_outbox(dq_dir: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_YUEBAO_SMTP", raising=False)
    mailer = mailer_for(tmp_path, MONTH)
    assert isinstance(mailer, OutboxMailer)
    deliver_reports(dq_dir, MONTH, contacts(SEEDS_DIR), mailer)
    outbox = tmp_path / "outbox" / MONTH
    assert sorted(path.name for path in outbox.iterdir()) == ["市公安局.eml", "市商务局.eml"]
    message = email.message_from_bytes((outbox / "市商务局.eml").read_bytes())
    assert message["To"] == "swj@shaoyang.example.org" and "市商务局.html" in attachments(message)


def test_reminders_go_to_owing_departments_without_files_from_the_due_day(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(Path(__file__).resolve().parent.parent / "samples" / "inbox" / MONTH, inbox / MONTH)
    (inbox / MONTH / "市住建局_2024年10月.csv").unlink()
    (inbox / MONTH / "市财政局_2024年10月.csv").unlink()
    outbox = OutboxMailer(tmp_path / "outbox")
    sent_log = tmp_path / "reminders.jsonl"

    assert send_reminders(inbox, SEEDS_DIR, date(2024, 11, 2), 3, outbox, sent_log) == []  # before the due day
    reminded = send_reminders(inbox, SEEDS_DIR, date(2024, 11, 3), 3, outbox, sent_log)
    assert reminded == ["市住建局", "市财政局"]
    message = email.message_from_bytes((tmp_path / "outbox" / "催报_市住建局.eml").read_bytes())
    assert message["To"] == "zjj@shaoyang.example.org"
    assert send_reminders(inbox, SEEDS_DIR, date(2024, 11, 3), 3, outbox, sent_log) == []  # once a day
    assert send_reminders(inbox, SEEDS_DIR, date(2024, 11, 4), 3, outbox, sent_log) == ["市住建局", "市财政局"]


def test_due_day_comes_from_the_settings_and_is_checked() -> None:
    assert Settings.from_environ({}).reminder_day == 3
    assert Settings.from_environ({"YUEBAO_REMINDER_DAY": "5"}).reminder_day == 5
    with pytest.raises(ValueError, match="1–28"):
        Settings.from_environ({"YUEBAO_REMINDER_DAY": "31"})
