"""Airflow in production mode on this machine: `python -m deploy.stack start|stop|status|init`.

``start`` runs the one-shot init (metadata database, migrations, admin credentials), then the
long-running processes of ``deploy.topology`` under a supervisor, waits until the API server
answers and prints where to log in. `make airflow` and ``tests/test_stack_celery.py`` use this code.

Settings come from the environment: ``AIRFLOW_HOME`` (default ``.demo/airflow-stack``),
``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` (default: database ``yuebao_airflow`` on the local
PostgreSQL), ``YUEBAO_ADMIN_PASSWORD`` (default: generated on first start), ``YUEBAO_AIRFLOW_PORT``;
docs/deploy.md lists them all.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

from deploy.credentials import ensure_admin_password, load_or_create_secrets
from deploy.metadata_db import ensure_database
from deploy.supervisor import Supervisor
from deploy.topology import (
    ADMIN_USER,
    INIT,
    WAREHOUSE_DEFAULTS,
    Executor,
    Service,
    StackSettings,
    environment,
    services,
)
from yuebao import PROJECT_ROOT

DEFAULT_METADATA_DB = "yuebao_airflow"


class StackFailed(RuntimeError):
    pass


def local_argv(service: Service) -> list[str]:
    """The container command of a service as a command line of this venv."""
    if service.command[0] == "python":
        return [sys.executable, *service.command[1:]]
    if service.command[0] == "airflow":
        return [str(Path(sys.executable).with_name("airflow")), *service.command[1:]]
    return [str(Path(sys.executable).with_name("airflow")), *service.command]  # a bare subcommand


class Stack:
    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.env = os.environ | environment(settings)
        self.supervisor = Supervisor(settings.run_dir)

    def init(self) -> None:
        """Run the init service (as the compose file's airflow-init does)."""
        self.settings.airflow_home.mkdir(parents=True, exist_ok=True)
        completed = subprocess.run(local_argv(INIT), env=self.env, cwd=PROJECT_ROOT,
                                   capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise StackFailed(f"{INIT.name} failed: {(completed.stderr or completed.stdout)[-2000:]}")

    def start(self, timeout_seconds: float = 180.0) -> None:
        self.init()
        for service in services(self.settings.executor, self.settings.portal):
            self.supervisor.start(service.name, local_argv(service), self.env, PROJECT_ROOT)
        self.wait_until_healthy(timeout_seconds)
        if self.settings.portal:
            self.wait_for_portal(timeout_seconds)

    def stop(self) -> None:
        self.supervisor.stop()

    def wait_until_healthy(self, timeout_seconds: float) -> None:
        """Wait until the API server reports the metadata database and the scheduler healthy."""
        deadline = time.monotonic() + timeout_seconds
        last = "no answer"
        while time.monotonic() < deadline:
            if exited := self.supervisor.exited():
                name = next(iter(exited))
                raise StackFailed(f"{name} exited with {exited[name]}:\n{self.supervisor.log_tail(name)}")
            try:
                with urllib.request.urlopen(f"{self.settings.api_url}/api/v2/monitor/health", timeout=5) as answer:
                    health = json.load(answer)
                last = json.dumps(health)
                if all(health.get(part, {}).get("status") == "healthy" for part in ("metadatabase", "scheduler")):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError) as error:
                last = str(error)
            time.sleep(1)
        raise StackFailed(f"the stack did not become healthy in {timeout_seconds:.0f} s: {last}")

    def wait_for_portal(self, timeout_seconds: float) -> None:
        """Wait until the portal answers its health route (contract section 6)."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if "yuebao-portal" in self.supervisor.exited():
                raise StackFailed(f"yuebao-portal exited:\n{self.supervisor.log_tail('yuebao-portal')}")
            try:
                with urllib.request.urlopen(f"{self.settings.portal_url}/api/v1/health", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        raise StackFailed(f"the portal did not answer in {timeout_seconds:.0f} s at {self.settings.portal_url}")


def portal_installed() -> bool:
    """Whether this checkout has the portal package (`yuebao portal`); the stack starts it if so."""
    return importlib.util.find_spec("portal") is not None


def airflow_home_from_environment() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or PROJECT_ROOT / ".demo" / "airflow-stack").resolve()


def settings_from_environment(executor: Executor) -> StackSettings:
    home = airflow_home_from_environment()
    user = os.environ.get("PGUSER", "postgres")
    host, port = os.environ.get("PGHOST", "127.0.0.1"), os.environ.get("PGPORT", "5432")
    metadata_url = (os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
                    or f"postgresql+psycopg2://{user}@{host}:{port}/{DEFAULT_METADATA_DB}")
    defaults = StackSettings(home, metadata_url, load_or_create_secrets(home), executor=executor)
    return replace(
        defaults,
        api_port=int(os.environ.get("YUEBAO_AIRFLOW_PORT", defaults.api_port)),
        broker_url=os.environ.get("AIRFLOW__CELERY__BROKER_URL", defaults.broker_url),
        yuebao_home=Path(os.environ.get("YUEBAO_HOME", defaults.yuebao_home)).resolve(),
        yuebao_inbox=Path(os.environ.get("YUEBAO_INBOX", defaults.yuebao_inbox)).resolve(),
        target=os.environ.get("YUEBAO_TARGET", defaults.target),
        approval_required=os.environ.get("YUEBAO_APPROVAL_REQUIRED", "true").lower() in ("1", "true", "yes", "on"),
        portal=portal_installed(),
        portal_port=int(os.environ.get("YUEBAO_PORTAL_PORT", defaults.portal_port)),
        portal_database_url=os.environ.get("YUEBAO_PORTAL_DATABASE_URL", ""),
        warehouse={name: os.environ.get(name, value) for name, value in WAREHOUSE_DEFAULTS.items()},
    )


def init_from_environment() -> None:
    """The airflow-init service: runs inside the deployment's environment (local or container)."""
    metadata_url = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    for url in filter(None, [metadata_url, os.environ.get("YUEBAO_PORTAL_DATABASE_URL")]):
        if ensure_database(url):
            print(f"created database {url.rsplit('/', 1)[-1]}")
    airflow = shutil.which("airflow", path=str(Path(sys.executable).parent)) or "airflow"
    subprocess.run([airflow, "db", "migrate"], check=True, stdout=subprocess.DEVNULL)
    passwords_file = Path(os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    ensure_admin_password(passwords_file, ADMIN_USER)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.stack", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "status", "init"])
    parser.add_argument("--executor", choices=["LocalExecutor", "CeleryExecutor"], default="LocalExecutor")
    args = parser.parse_args(argv)
    if args.action == "init":
        init_from_environment()
        return 0
    if args.action in ("stop", "status"):
        supervisor = Supervisor(airflow_home_from_environment() / "run")
        running = supervisor.running()
        if args.action == "stop":
            supervisor.stop()
        for name, pid in running.items():
            print(f"{name}\tpid {pid}\t{'stopped' if args.action == 'stop' else supervisor.log_file(name)}")
        return 0 if running or args.action == "stop" else 1
    stack = Stack(settings_from_environment(args.executor))
    if args.action == "start":
        try:
            stack.start()
        except StackFailed as error:
            stack.stop()
            print(f"airflow stack: {error}", file=sys.stderr)
            return 1
        settings = stack.settings
        print(f"Airflow UI: {settings.api_url}  ({settings.executor}, metadata {settings.metadata_url.rsplit('@', 1)[-1]})")
        print(f"log in as '{ADMIN_USER}' with the password in {settings.passwords_file} "
              "(set YUEBAO_ADMIN_PASSWORD before the first start to choose it)")
        if settings.portal:
            print(f"submission portal: {settings.portal_url}  (accounts: yuebao user add … --home {settings.yuebao_home})")
        print(f"logs and PIDs: {settings.run_dir}; stop with: "
              f"AIRFLOW_HOME={settings.airflow_home} .venv/bin/python -m deploy.stack stop")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
