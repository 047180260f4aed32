"""A warm process leaves the frameworks it imported out of Python's garbage collections
(`yuebao.step_workers.freeze_imports`): the dbt worker once dbt is imported, the process that runs
the month's other steps once it imported what the gate and publication need (`READ_AHEAD`), and
neither before.

Each case runs in a fresh interpreter: freezing is for the life of a process, and this one's must
stay as pytest left it.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def in_fresh_interpreter(code: str) -> dict[str, int]:
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                               check=True, timeout=180)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_the_dbt_worker_freezes_what_importing_dbt_made() -> None:
    counts = in_fresh_interpreter(
        "import gc, json\n"
        "from yuebao import step_workers\n"
        "before = gc.get_freeze_count()\n"
        "step_workers.import_dbt(None, None)\n"
        "after = gc.get_freeze_count()\n"
        "step_workers.import_dbt(None, None)\n"  # once per process: a second call freezes nothing new
        "again = gc.get_freeze_count()\n"
        "import dbt.cli.main\n"
        "collected = any(o is dbt.cli.main.__dict__ for o in gc.get_objects())\n"
        "print(json.dumps({'before': before, 'after': after, 'again': again, 'collected': int(collected)}))\n"
    )
    assert counts["before"] == 0
    assert counts["after"] > 50_000  # dbt's modules, classes and functions (≈ 134,000 objects here)
    assert counts["again"] == counts["after"]
    assert counts["collected"] == 0  # a frozen module's namespace is in no generation a collection walks


def test_the_main_process_freezes_once_it_has_imported_what_the_checks_need() -> None:
    counts = in_fresh_interpreter(
        "import gc, json\n"
        "from concurrent.futures import Future\n"
        "from yuebao import step_workers\n"
        "done = Future(); done.set_result(None)\n"
        "step_workers._read_ahead(done)\n"  # the worker finished first: nothing imported, nothing frozen
        "early = gc.get_freeze_count()\n"
        "import sys\n"
        "gx_early = 'great_expectations' in sys.modules\n"
        "step_workers._read_ahead(Future())\n"  # still building: everything imported, then frozen
        "print(json.dumps({'early': early, 'gx_early': int(gx_early),"
        " 'late': gc.get_freeze_count(), 'gx_late': int('great_expectations' in sys.modules)}))\n"
    )
    assert counts == {**counts, "early": 0, "gx_early": 0, "gx_late": 1}
    assert counts["late"] > 100_000  # Great Expectations, pandas, the publication modules
