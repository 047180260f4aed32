"""The portal's JSON API as contract section 6 states it: receipts, 401, 404, 413, 422, inbox placement."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from portal.store.models import AuditEvent
from tests.portal_helpers import ZJJ_FILE, Portal, make_portal, with_pending

MONTH = "2024-10"
URL = f"/api/v1/months/{MONTH}/submissions"


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    return make_portal(tmp_path)


def upload(portal: Portal, caller: str, data: bytes, name: str = ZJJ_FILE.name):
    return portal.client().post(URL, files={"file": (name, data)}, headers=portal.api(caller))


def test_health_answers_without_a_token(portal: Portal) -> None:
    assert portal.client().get("/api/v1/health").json() == {"status": "ok"}


def test_upload_without_a_valid_token_is_401(portal: Portal) -> None:
    client = portal.client()
    assert client.post(URL, files={"file": (ZJJ_FILE.name, ZJJ_FILE.read_bytes())}).status_code == 401
    bad = client.post(URL, files={"file": (ZJJ_FILE.name, b"x")}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Bearer"


def test_a_pending_cell_is_rejected_with_its_row_and_column_and_kept_out_of_the_inbox(portal: Portal) -> None:
    response = upload(portal, "reporter", with_pending(ZJJ_FILE.read_bytes()))
    assert response.status_code == 201
    receipt = response.json()
    assert set(receipt) == {"id", "unit", "file_name", "sha256", "received_at", "status", "findings"}
    assert receipt["status"] == "rejected"
    assert receipt["unit"] == "市住建局"
    finding = next(finding for finding in receipt["findings"] if finding["value"] == "待核实")
    assert (finding["severity"], finding["row"], finding["column"]) == ("blocking", 2, "E")
    assert not (portal.settings.inbox / MONTH).exists() or not any((portal.settings.inbox / MONTH).iterdir())
    archived = list((portal.settings.portal_dir / "raw").glob(f"*/{receipt['sha256']}*"))
    assert len(archived) == 1  # kept in the raw archive all the same


def test_an_accepted_file_is_in_the_inbox_byte_for_byte(portal: Portal) -> None:
    data = ZJJ_FILE.read_bytes()
    receipt = upload(portal, "reporter", data).json()
    assert receipt["status"] == "accepted"
    placed = list((portal.settings.inbox / MONTH).iterdir())
    assert [path.read_bytes() for path in placed] == [data]
    assert placed[0].name == ZJJ_FILE.name


def test_a_resubmission_never_replaces_a_file_in_the_inbox(portal: Portal) -> None:
    first = ZJJ_FILE.read_bytes()
    second = first.replace(b",3200,", b",3300,")
    upload(portal, "reporter", first)
    upload(portal, "reporter", second)
    placed = sorted((portal.settings.inbox / MONTH).iterdir())
    assert sorted(path.read_bytes() for path in placed) == sorted([first, second])
    assert {path.name for path in placed} == {ZJJ_FILE.name, "市住建局_2024年10月(2).csv"}


def test_a_file_whose_rows_name_another_unit_is_422(portal: Portal) -> None:
    response = upload(portal, "other_reporter", ZJJ_FILE.read_bytes())
    assert response.status_code == 422
    assert "市住建局" in response.json()["detail"]
    assert not (portal.settings.inbox / MONTH).exists() or not any((portal.settings.inbox / MONTH).iterdir())


def test_a_file_over_the_size_limit_is_413(tmp_path: Path) -> None:
    portal = make_portal(tmp_path, max_upload_bytes=1000)
    response = upload(portal, "reporter", ZJJ_FILE.read_bytes() + b"," * 2000)
    assert response.status_code == 413


def test_type_is_judged_by_content_not_by_name(portal: Portal) -> None:
    receipt = upload(portal, "reporter", b"PK\x03\x04 not really a workbook", name="市住建局.csv").json()
    assert receipt["status"] == "rejected"
    assert receipt["findings"][0]["rule"] == "extension_mismatch"
    executable = upload(portal, "reporter", b"MZ\x90\x00", name="市住建局.exe").json()
    assert executable["findings"][0]["rule"] == "unsupported_file_type"


def test_a_hostile_file_name_is_never_a_path(portal: Portal) -> None:
    receipt = upload(portal, "reporter", ZJJ_FILE.read_bytes(), name="../../etc/<b>市住建局</b>.csv").json()
    assert receipt["file_name"] == "../../etc/<b>市住建局</b>.csv"  # kept as sent, shown escaped
    placed = list((portal.settings.inbox / MONTH).iterdir())
    assert [path.parent for path in placed] == [portal.settings.inbox / MONTH]
    assert "/" not in placed[0].name and "<" not in placed[0].name


def test_reporters_list_their_own_receipts_and_the_office_lists_all(portal: Portal) -> None:
    upload(portal, "reporter", ZJJ_FILE.read_bytes())
    client = portal.client()
    assert len(client.get(URL, headers=portal.api("reporter")).json()) == 1
    assert client.get(URL, headers=portal.api("other_reporter")).json() == []
    assert len(client.get(URL, headers=portal.api("reviewer")).json()) == 1
    assert len(client.get(URL, headers=portal.api("admin")).json()) == 1


def test_another_units_submission_is_404(portal: Portal) -> None:
    receipt = upload(portal, "reporter", ZJJ_FILE.read_bytes()).json()
    client = portal.client()
    assert client.get(f"/api/v1/submissions/{receipt['id']}", headers=portal.api("other_reporter")).status_code == 404
    assert client.get(f"/api/v1/submissions/{receipt['id']}", headers=portal.api("reporter")).json() == receipt
    assert client.get("/api/v1/submissions/9999", headers=portal.api("reporter")).status_code == 404


def test_return_mails_the_unit_and_approval_is_recorded(portal: Portal) -> None:
    receipt = upload(portal, "reporter", ZJJ_FILE.read_bytes()).json()
    client = portal.client()
    returned = client.post(f"/api/v1/submissions/{receipt['id']}/return", json={"comment": "目标值请核实"},
                           headers=portal.api("reviewer"))
    assert returned.status_code == 200
    assert returned.json()["comment"] == "目标值请核实"
    mails = list((portal.settings.home / "outbox" / MONTH).glob("*.eml"))
    assert len(mails) == 1 and "zjj@shaoyang.example.org" in mails[0].read_text(encoding="utf-8")
    assert client.post(f"/api/v1/submissions/{receipt['id']}/return", json={"comment": "x"},
                       headers=portal.api("reporter")).status_code == 403
    approved = client.post(f"/api/v1/months/{MONTH}/approve", json={"comment": "同意"}, headers=portal.api("reviewer"))
    assert approved.status_code == 200
    assert approved.json()["approved_by"] == "office"
    assert MONTH in (portal.settings.home / "approvals.jsonl").read_text(encoding="utf-8")


def test_uploads_returns_and_approvals_are_audited(portal: Portal) -> None:
    receipt = upload(portal, "reporter", ZJJ_FILE.read_bytes()).json()
    client = portal.client()
    client.post(f"/api/v1/submissions/{receipt['id']}/return", json={"comment": "请补充"}, headers=portal.api("reviewer"))
    client.post(f"/api/v1/months/{MONTH}/approve", headers=portal.api("reviewer"))
    with portal.app.state.store.session() as db:
        events = [(event.action, event.actor) for event in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert ("account_created", "test") in events
    assert ("upload", "zjj") in events
    assert ("return", "office") in events
    assert ("approve", "office") in events


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    portal = make_portal(tmp_path, max_upload_bytes=1000)
    response = portal.client().post(URL, content=b"x" * 2_000_000, headers=portal.api("reporter") | {
        "content-type": "multipart/form-data; boundary=zzz"})
    assert response.status_code == 413


def test_yuebao_portal_serves_health_when_ready(tmp_path: Path) -> None:
    import socket
    import subprocess
    import time

    import httpx

    from tests.conftest import YUEBAO

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([YUEBAO, "portal", "--home", str(tmp_path / "home"), "--inbox", str(tmp_path / "inbox"),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail("the portal did not answer /api/v1/health")
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/months/2024-10/submissions").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_upload_page_takes_several_files_at_once(portal: Portal) -> None:
    client, csrf = portal.login("reporter")
    narrative = "【重点任务】\n▲实施民生可感行动。本月化解超期安置户939户。\n".encode()
    response = client.post(f"/months/{MONTH}/upload", data={"csrf_token": csrf}, files=[
        ("files", (ZJJ_FILE.name, ZJJ_FILE.read_bytes())), ("files", ("市住建局_文字材料.md", narrative))])
    assert response.status_code == 200  # after the redirect: the month page with both receipts
    assert response.text.count('class="receipt"') == 2
    assert {path.name for path in (portal.settings.inbox / MONTH).iterdir()} == {ZJJ_FILE.name, "市住建局_文字材料.md"}


def test_an_admin_cannot_give_a_reporter_an_unknown_unit(portal: Portal) -> None:
    client, csrf = portal.login("admin")
    response = client.post("/admin/accounts", data={"csrf_token": csrf, "username": "x", "unit": "住建",
                                                    "role": "reporter", "password": "a long enough password"})
    assert response.status_code == 422 and "标准名称" in response.text


def test_the_tracker_counts_files_dropped_into_the_inbox_and_judges_lateness_by_their_time(portal: Portal) -> None:
    import os

    from portal.office import tracker

    folder = portal.settings.inbox / MONTH
    folder.mkdir(parents=True)
    on_time = folder / "市商务局2024年10月八大行动指标.csv"
    on_time.write_bytes(b"x")
    os.utime(on_time, (1730424600, 1730424600))  # 2024-11-01 01:30 UTC, before the due day
    late = folder / "产业培塑专班_文字材料.docx"
    late.write_bytes(b"x")  # now: long after 2024-11-03
    with portal.app.state.store.session() as db:
        statuses = {row.unit.name: row.status for row in tracker(db, portal.settings, MONTH)}
    assert statuses["市商务局"] == "received"
    assert statuses["产业培塑行动工作专班"] == "late"
    assert statuses["市住建局"] == "missing"


def test_the_tracker_agrees_with_the_monthly_reports_delivery_status(published_home: Path, tmp_path: Path) -> None:
    """The sample month as `yuebao run` published it: the portal's tracker, on the same inbox, gives
    every department owing indicators the status of the data-quality report's delivery tracker."""
    import duckdb

    from portal.office import tracker
    from portal.settings import PortalSettings
    from portal.store.engine import Store
    from tests.conftest import SAMPLE_INBOX

    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        report = dict(con.execute("select department, delivery_status from main.dq_delivery_status"
                                  " where report_month = date '2024-10-01'").fetchall())
    settings = PortalSettings(home=tmp_path / "home", inbox=SAMPLE_INBOX)
    store = Store(settings.database_url)
    with store.session() as db:
        portal_view = {row.unit.name: row.status for row in tracker(db, settings, MONTH)
                       if row.unit.kind == "department"}
    store.dispose()
    assert report and portal_view == report


def test_a_month_that_is_not_yyyy_mm_is_422(portal: Portal) -> None:
    for month in ("2024-13", "2024-1", "2024-10%0A", "latest"):
        assert portal.client().get(f"/api/v1/months/{month}/submissions", headers=portal.api("reviewer")).status_code == 422


def test_the_portal_serves_the_published_data_to_its_callers(published_home: Path, tmp_path: Path) -> None:
    """The data API mounted in the portal answers a token's caller from the published warehouse."""
    from fastapi.testclient import TestClient

    from portal import accounts
    from portal.app import create_app
    from portal.settings import PortalSettings
    from tests.conftest import SAMPLE_INBOX

    settings = PortalSettings(home=published_home, inbox=SAMPLE_INBOX,
                              database_url=f"sqlite:///{tmp_path / 'portal.sqlite'}")
    app = create_app(settings)
    with app.state.store.session() as db:
        account = accounts.create_account(db, settings, "zjj", "市住建局", "reporter", "a long enough password", None)
        db.flush()
        token = accounts.create_api_token(db, account, None)
    client = TestClient(app)
    assert client.get("/api/v1/data", params={"indicator": "retail_sales"}).status_code == 401
    answer = client.get("/api/v1/data", params={"indicator": "retail_sales", "format": "json"},
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    app.state.store.dispose()
