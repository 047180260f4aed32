"""How a run's outcome reaches the command line: a failed task leaves its one-line reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yuebao.month_run import MonthRun


def failure_file(home: str | Path, month: str) -> Path:
    return MonthRun(month, Path(home), Path(home)).failure_file  # the inbox plays no part


def record_failure(context: dict[str, Any]) -> None:
    params = context.get("params") or {}
    if not params.get("home") or not params.get("month"):
        return
    path = failure_file(params["home"], params["month"])
    path.parent.mkdir(parents=True, exist_ok=True)
    exception = context.get("exception")
    task_id = getattr(context.get("task_instance"), "task_id", "?")
    reason = " ".join(str(exception).split()) if exception else "failed"
    # errors=: a reason can quote a path whose name is not UTF-8 (lone surrogates)
    path.write_text(f"{task_id}: {type(exception).__name__}: {reason}\n", encoding="utf-8", errors="backslashreplace")
