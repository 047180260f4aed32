"""Who gets in where: every route of the portal walked as each kind of caller; CSRF; login throttling."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from portal import accounts
from portal.store.models import Account, AuditEvent
from tests.portal_helpers import ACCOUNTS, CALLERS, PASSWORD, ZJJ_FILE, Portal, csrf_of, make_portal

MONTH = "2024-10"
PUBLIC = dict.fromkeys(CALLERS, True)
SIGNED_IN = PUBLIC | {"anonymous": False}
REPORTERS = {"anonymous": False, "other_reporter": True, "reporter": True, "reviewer": False, "admin": False}
REVIEWER = {"anonymous": False, "other_reporter": False, "reporter": False, "reviewer": True, "admin": False}
OFFICE = REVIEWER | {"admin": True}
ADMIN = {caller: caller == "admin" for caller in CALLERS}
# A unit's own submission: another unit's reporter is told it does not exist (404), as for a wrong id.
OWN_SUBMISSION = {"anonymous": False, "other_reporter": "404", "reporter": True, "reviewer": True, "admin": True}

# Every route of the application → who may use it. A new route fails the walk until it is listed.
ACCESS: dict[tuple[str, str], dict[str, bool | str]] = {
    ("GET", "/api/v1/health"): PUBLIC,
    ("GET", "/"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): SIGNED_IN,
    ("POST", "/api/v1/months/{month}/submissions"): REPORTERS,
    ("GET", "/api/v1/months/{month}/submissions"): SIGNED_IN,
    ("GET", "/api/v1/submissions/{submission_id}"): OWN_SUBMISSION,
    ("POST", "/api/v1/submissions/{submission_id}/return"): REVIEWER,
    ("POST", "/api/v1/months/{month}/approve"): REVIEWER,
    ("GET", "/months/{month}"): REPORTERS,
    ("POST", "/months/{month}/upload"): REPORTERS,
    ("GET", "/submissions/{submission_id}"): OWN_SUBMISSION,
    ("GET", "/submissions/{submission_id}/annotated.xlsx"): OWN_SUBMISSION,
    ("GET", "/review/{month}"): OFFICE,
    ("GET", "/review/{month}/tracker"): OFFICE,
    ("GET", "/review/{month}/{folder}/{name:path}"): OFFICE,
    ("POST", "/submissions/{submission_id}/return"): REVIEWER,
    ("POST", "/review/{month}/approve"): REVIEWER,
    # The data API (d19's router, mounted by the portal): signed-in callers; anonymous only when the
    # admin opens published data (test_the_data_api_reader_…).
    ("GET", "/api/v1/data"): SIGNED_IN,
    **{("GET", f"/api/v1/meta/{name}"): SIGNED_IN
       for name in ("indicators", "regions", "actions", "departments", "periods", "releases")},
    ("GET", "/data/indicators"): SIGNED_IN,
    ("GET", "/data/indicators/{code}"): SIGNED_IN,
    ("GET", "/admin"): ADMIN,
    ("POST", "/admin/accounts"): ADMIN,
    ("POST", "/admin/accounts/{account_id}/active"): ADMIN,
    ("POST", "/admin/accounts/{account_id}/password"): ADMIN,
    ("POST", "/admin/settings"): ADMIN,
    ("POST", "/admin/distribution"): ADMIN,
}


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Portal:
    portal = make_portal(tmp_path_factory.mktemp("walk"))
    portal.client().post(f"/api/v1/months/{MONTH}/submissions", headers=portal.api("reporter"),
                         files={"file": (ZJJ_FILE.name, ZJJ_FILE.read_bytes())})
    with portal.app.state.store.session() as db:  # the account the admin routes act on: nobody walking
        accounts.create_account(db, portal.settings, "spare", "市统计局", "reporter", PASSWORD, actor="test")
    publish = portal.settings.home / "publish" / MONTH
    publish.mkdir(parents=True)
    (publish / "bulletin.html").write_text("<p>草稿</p>", encoding="utf-8")
    return portal


def app_routes(portal: Portal) -> set[tuple[str, str]]:
    return {(method, route.path) for route in portal.app.routes if isinstance(route, APIRoute)
            for method in route.methods - {"HEAD"}}


def test_every_route_is_in_the_access_table(portal: Portal) -> None:
    assert app_routes(portal) == set(ACCESS)


def _spare_id(portal: Portal) -> int:
    with portal.app.state.store.session() as db:
        return db.scalar(select(Account.id).where(Account.username == "spare"))


def _request(portal: Portal, caller: str, method: str, path: str):
    spare = _spare_id(portal)
    fresh = caller == "anonymous" or path in ("/logout", "/login")
    client, csrf = portal.login(caller) if fresh else portal.session(caller)
    url = (path.replace("{month}", MONTH).replace("{submission_id}", "1").replace("{folder}", "publish").replace("{code}", "retail_sales").replace("{name:path}", "bulletin.html")
           .replace("{account_id}", str(spare)))
    headers = portal.api(caller) if url.startswith("/api/") else {}
    form = {"csrf_token": csrf}
    if url.startswith("/api/") and method == "POST":
        if url.endswith("/submissions"):
            return client.post(url, headers=headers, files={"file": ("市商务局_空.csv", b"\xe6\x8a\xa5\xe9\x80\x81\n")})
        return client.post(url, headers=headers, json={"comment": "请核实"})
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False)
    if url == "/login":
        form = {"csrf_token": csrf_of(client.get("/login").text), "username": "zjj", "password": PASSWORD}
    extra = {"/admin/accounts": {
        "username": f"new_{caller}", "unit": "市住建局", "role": "reporter", "password": PASSWORD},
        "/admin/settings": {"reminder_day": "5"}, "/admin/distribution": {"lines": "报：市委\n送：各县市区"},
        f"/admin/accounts/{spare}/active": {"active": "true"}, f"/admin/accounts/{spare}/password": {"password": PASSWORD}, "/submissions/1/return": {"comment": "请核实"}}
    files = {"files": ("市住建局_2024年10月.csv", ZJJ_FILE.read_bytes())} if url.endswith("/upload") else None
    return client.post(url, data=form | extra.get(url, {}), files=files, follow_redirects=False)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path"), sorted(ACCESS))
def test_route_walk(portal: Portal, caller: str, method: str, path: str) -> None:
    allowed = ACCESS[(method, path)][caller]
    status = _request(portal, caller, method, path).status_code
    if allowed == "404":
        assert status == 404
    elif allowed:
        assert status not in (401, 403, 404), status
    elif caller == "anonymous":
        assert status == 401
    else:
        assert status == 403


def test_pages_escape_what_units_typed(portal: Portal) -> None:
    portal.client().post(f"/api/v1/months/{MONTH}/submissions", headers=portal.api("reporter"),
                         files={"file": ("<script>alert(1)</script>市住建局.csv", ZJJ_FILE.read_bytes())})
    client, _ = portal.login("reviewer")
    page = client.get(f"/review/{MONTH}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_form_without_the_sessions_csrf_token_is_refused(tmp_path: Path) -> None:
    portal = make_portal(tmp_path)
    client, csrf = portal.login("admin")
    assert client.post("/admin/settings", data={"reminder_day": "9"}, follow_redirects=False).status_code == 403
    assert client.post("/admin/settings", data={"reminder_day": "9", "csrf_token": "forged"},
                       follow_redirects=False).status_code == 403
    other, other_csrf = portal.login("reviewer")
    assert client.post("/admin/settings", data={"reminder_day": "9", "csrf_token": other_csrf},
                       follow_redirects=False).status_code == 403
    assert client.post("/admin/settings", data={"reminder_day": "9", "csrf_token": csrf},
                       follow_redirects=False).status_code == 303


def test_the_login_form_needs_its_csrf_cookie(tmp_path: Path) -> None:
    portal = make_portal(tmp_path)
    client = portal.client()
    response = client.post("/login", data={"username": "zjj", "password": PASSWORD, "csrf_token": "x"},
                           follow_redirects=False)
    assert response.status_code == 403


def test_session_cookie_is_httponly_and_samesite(tmp_path: Path) -> None:
    portal = make_portal(tmp_path)
    client = portal.client()
    form = client.get("/login")
    response = client.post("/login", data={"username": "zjj", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
                           follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def _attempt(client, username: str, password: str) -> int:
    form = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
                       follow_redirects=False).status_code


def test_repeated_failures_lock_the_account_even_for_the_right_password(tmp_path: Path) -> None:
    portal = make_portal(tmp_path, max_failures_per_account=3)
    client = portal.client()
    assert [_attempt(client, "zjj", "wrong password") for _ in range(3)] == [401, 401, 401]
    assert _attempt(client, "zjj", PASSWORD) == 429
    assert _attempt(client, "swj", PASSWORD) == 303  # another account from the same address still gets in


def test_repeated_failures_from_one_address_are_throttled_across_accounts(tmp_path: Path) -> None:
    portal = make_portal(tmp_path, max_failures_per_ip=4)
    client = portal.client()
    for name in ("a1", "a2", "a3", "a4"):
        assert _attempt(client, name, "guess") == 401
    assert _attempt(client, "zjj", PASSWORD) == 429


def test_logins_and_account_changes_are_audited_without_secrets(tmp_path: Path) -> None:
    portal = make_portal(tmp_path)
    client = portal.client()
    _attempt(client, "zjj", "not the password")
    _attempt(client, "zjj", PASSWORD)
    with portal.app.state.store.session() as db:
        events = list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        hashes = [account.password_hash for account in db.scalars(select(Account))]
    actions = [(event.action, event.actor) for event in events]
    assert ("login_failed", "zjj") in actions and ("login", "zjj") in actions
    assert ("account_created", "test") in actions
    text = " ".join(f"{event.target} {event.detail}" for event in events)
    assert PASSWORD not in text and "not the password" not in text
    assert all(value.startswith("$argon2") for value in hashes)
    assert len(ACCOUNTS) == len(hashes)


def test_month_documents_stay_inside_their_folder(portal: Portal) -> None:
    client, _ = portal.session("reviewer")
    assert client.get(f"/review/{MONTH}/publish/bulletin.html").status_code == 200
    for escape in ("..%2F..%2Fportal%2Fportal.sqlite", "%2Fetc%2Fpasswd", "../../raw/manifest.jsonl"):
        assert client.get(f"/review/{MONTH}/publish/{escape}").status_code in (404, 422)  # never served
    assert client.get(f"/review/{MONTH}/elsewhere/bulletin.html").status_code == 422


def test_a_password_reset_ends_the_accounts_sessions_and_is_audited(tmp_path: Path) -> None:
    portal = make_portal(tmp_path)
    reporter, _ = portal.login("reporter")
    assert reporter.get(f"/months/{MONTH}").status_code == 200
    admin, csrf = portal.login("admin")
    with portal.app.state.store.session() as db:
        target = db.scalar(select(Account).where(Account.username == "zjj")).id
    assert admin.post(f"/admin/accounts/{target}/password", data={"csrf_token": csrf, "password": "short"},
                      follow_redirects=False).status_code == 422
    assert admin.post(f"/admin/accounts/{target}/password", data={"csrf_token": csrf, "password": "a new long password"},
                      follow_redirects=False).status_code == 303
    assert reporter.get(f"/months/{MONTH}").status_code == 401
    with portal.app.state.store.session() as db:
        assert db.scalar(select(AuditEvent).where(AuditEvent.action == "account_password_reset")).actor == "root"


def test_the_data_api_reader_takes_tokens_and_sessions_and_anonymous_only_when_the_admin_allows(
        tmp_path: Path) -> None:
    from fastapi import Depends

    from portal.deps import data_reader

    portal = make_portal(tmp_path)

    @portal.app.get("/test-data")
    def probe(caller=Depends(data_reader)) -> dict[str, str | None]:  # noqa: B008 - FastAPI's idiom
        return {"caller": caller.username if caller else None}

    client = portal.client()
    assert client.get("/test-data").status_code == 401
    assert client.get("/test-data", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/test-data", headers=portal.api("reporter")).json() == {"caller": "zjj"}
    reviewer, _ = portal.login("reviewer")
    assert reviewer.get("/test-data").json() == {"caller": "office"}
    admin, csrf = portal.login("admin")
    admin.post("/admin/settings", data={"csrf_token": csrf, "reminder_day": "3", "anonymous_data": "true"})
    assert client.get("/test-data").json() == {"caller": None}
