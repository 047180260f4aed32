"""Start and stop long-running processes, each in its own process group, with PID and log files.

``<run_dir>/<name>.pid`` and ``<name>.log`` outlive the starting process, so ``stop`` works from
another shell (`python -m deploy.stack stop`) as well as from a test's finalizer.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


class Supervisor:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self._children: dict[str, subprocess.Popen[bytes]] = {}

    def pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def start(self, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> int:
        if name in self.running():
            raise RuntimeError(f"{name} is already running (pid file {self.pid_file(name)})")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file(name).open("ab") as log:
            child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self._children[name] = child
        self.pid_file(name).write_text(str(child.pid))
        return child.pid

    def running(self) -> dict[str, int]:
        """Names and PIDs of the supervised processes still alive."""
        alive = {}
        for pid_file in sorted(self.run_dir.glob("*.pid")):
            pid = int(pid_file.read_text())
            child = self._children.get(pid_file.stem)
            if child.poll() is None if child is not None else _alive(pid):
                alive[pid_file.stem] = pid
        return alive

    def exited(self) -> dict[str, int]:
        """Names and exit codes of processes started here that have stopped."""
        return {name: child.returncode for name, child in self._children.items() if child.poll() is not None}

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.log_file(name)
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self, grace_seconds: float = 20.0) -> None:
        """SIGTERM every process group, SIGKILL what is left after the grace period."""
        groups = list(self.running().items())
        for _, pid in groups:
            _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        while time.monotonic() < deadline and any(self._still_running(name, pid) for name, pid in groups):
            time.sleep(0.2)
        for name, pid in groups:
            _signal_group(pid, signal.SIGKILL)  # also reaps children left behind by a clean exit
            child = self._children.pop(name, None)
            if child is not None:
                child.wait(timeout=10)
        for pid_file in self.run_dir.glob("*.pid"):
            pid_file.unlink()

    def _still_running(self, name: str, pid: int) -> bool:
        child = self._children.get(name)
        return child.poll() is None if child is not None else _alive(pid)


def _signal_group(pid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
