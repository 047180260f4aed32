"""`yuebao user add` and `yuebao token create` as contract section 6 states them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

from portal.app import create_app
from portal.settings import PortalSettings
from tests.conftest import YUEBAO
from tests.portal_helpers import ZJJ_FILE


def yuebao(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "YUEBAO_PASSWORD"}
    if password is not None:
        env["YUEBAO_PASSWORD"] = password
    return subprocess.run([YUEBAO, *args], env=env, capture_output=True, text=True, timeout=120, check=False,
                          stdin=subprocess.DEVNULL)


def test_an_account_and_its_token_work_against_the_api(tmp_path: Path) -> None:
    home = tmp_path / "home"
    added = yuebao("user", "add", "zjj", "--unit", "市住建局", "--role", "reporter", "--home", str(home),
                   password="a long enough password")
    assert added.returncode == 0, added.stderr
    created = yuebao("token", "create", "zjj", "--home", str(home))
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token not in (home / "portal" / "portal.sqlite").read_bytes().decode("latin-1")  # stored hashed
    client = TestClient(create_app(PortalSettings(home=home, inbox=tmp_path / "inbox")))
    response = client.post("/api/v1/months/2024-10/submissions", headers={"Authorization": f"Bearer {token}"},
                           files={"file": (ZJJ_FILE.name, ZJJ_FILE.read_bytes())})
    assert response.status_code == 201 and response.json()["unit"] == "市住建局"


def test_a_password_is_never_an_argument_and_a_reporter_needs_a_known_unit(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    without = yuebao("user", "add", "zjj", "--unit", "市住建局", "--role", "reporter", "--home", home)
    assert without.returncode == 2 and "YUEBAO_PASSWORD" in without.stderr
    as_argument = yuebao("user", "add", "zjj", "--unit", "市住建局", "--role", "reporter", "--home", home,
                         "--password", "a long enough password")
    assert as_argument.returncode == 2
    unknown = yuebao("user", "add", "x", "--unit", "住建", "--role", "reporter", "--home", home,
                     password="a long enough password")
    assert unknown.returncode == 2 and "标准名称" in unknown.stderr
    office = yuebao("user", "add", "office", "--unit", "市八大行动协调办", "--role", "reviewer", "--home", home,
                    password="a long enough password")
    assert office.returncode == 0, office.stderr
    county = yuebao("user", "add", "xn", "--unit", "新宁县", "--role", "reporter", "--home", home,
                    password="a long enough password")
    assert county.returncode == 0, county.stderr
    assert yuebao("token", "create", "nobody", "--home", home).returncode == 2
