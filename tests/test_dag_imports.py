"""The DAG imports cleanly, as the scheduler's DAG processor sees it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def airflow(airflow_home: Path, dags: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    return subprocess.run([AIRFLOW, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def import_errors(airflow_home: Path, dags: Path) -> list[dict[str, str]]:
    assert airflow(airflow_home, dags, "db", "migrate").returncode == 0
    airflow(airflow_home, dags, "dags", "reserialize")
    listed = airflow(airflow_home, dags, "dags", "list-import-errors", "--output", "json")
    errors = json.loads(listed.stdout.strip().splitlines()[-1])  # warnings may precede the JSON
    assert listed.returncode == (1 if errors else 0), listed.stderr[-2000:]
    return errors


def test_list_import_errors_is_clean(tmp_path: Path) -> None:
    assert import_errors(tmp_path / "airflow", ROOT / "dags") == []
    listed = airflow(tmp_path / "airflow", ROOT / "dags", "dags", "list", "--output", "json")
    dag_ids = [dag["dag_id"] for dag in json.loads(listed.stdout.strip().splitlines()[-1])]
    assert dag_ids == ["yuebao_monthly", "yuebao_reminders"]


def test_a_broken_dag_file_is_reported(tmp_path: Path) -> None:
    """The check above can fail: a DAG file with an error shows up in list-import-errors."""
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(ROOT / "dags" / "yuebao_monthly.py", dags / "yuebao_monthly.py")
    (dags / "broken.py").write_text("from airflow.sdk import dag\nimport not_a_module_yuebao\n")
    errors = import_errors(tmp_path / "airflow", dags)
    assert len(errors) == 1 and "not_a_module_yuebao" in json.dumps(errors, ensure_ascii=False)


def test_dag_has_the_stages_in_order() -> None:
    from yuebao.runner import load_dag

    dag = load_dag()
    assert dag.dag_id == "yuebao_monthly"
    order = ["prepare", "ingest", "dbt_build", "validate", "render_draft"]
    for upstream, downstream in zip(order, order[1:], strict=False):
        assert dag.get_task(upstream).downstream_task_ids == {downstream}
    # publication waits for the release approval (a no-op unless approval is required)
    assert dag.get_task("render_draft").downstream_task_ids == {"approve_publication", "publish"}
    assert dag.get_task("approve_publication").downstream_task_ids == {"publish"}
    assert dag.get_task("approve_publication").task_type == "PublicationApproval"
    assert "month" in dag.params
    assert dag.timetable.summary.startswith("0 6 5 * *")
