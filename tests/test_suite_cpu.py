"""bench/suite_cpu.py counts a process's CPU under the outermost command it ran under."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import load_script

BENCH = Path(__file__).resolve().parent.parent / "bench" / "suite_cpu.py"

# dump-acct's format: comm|v3|utime|stime|etime|uid|gid|mem|io|pid|ppid|flags|exit|tty|date (CPU in 1/100 s)
DUMP = """\
bash            |v3|     1.00|     0.00|  9000.00|0|0|4608.00|  2530.00|   100|     1|     |0|__|Mon Nov 30 23:43:55 2026
python          |v3|   400.00|   100.00|  8000.00|0|0|4608.00|  2530.00|   200|   100|     |0|__|Mon Nov 30 23:43:55 2026
yuebao          |v3|  1100.00|    50.00|  1500.00|0|0|4608.00|  2530.00|   300|   200|     |0|__|Mon Nov 30 23:43:55 2026
python          |v3|   900.00|    30.00|  1400.00|0|0|4608.00|  2530.00|   301|   300|     |0|__|Mon Nov 30 23:43:55 2026
dbt             |v3|    20.00|     0.00|   100.00|0|0|4608.00|  2530.00|   302|   300|     |0|__|Mon Nov 30 23:43:55 2026
yuebao          |v3|    20.00|     0.00|    30.00|0|0|4608.00|  2530.00|   400|   200|     |0|__|Mon Nov 30 23:43:55 2026
dbt             |v3|   700.00|    10.00|   900.00|0|0|4608.00|  2530.00|   500|   200|     |0|__|Mon Nov 30 23:43:55 2026
not a record line
"""


@pytest.fixture(scope="module")
def suite_cpu() -> ModuleType:
    return load_script(BENCH)


def test_cpu_is_counted_under_the_outermost_command(suite_cpu) -> None:
    processes = suite_cpu.parse(DUMP)
    assert len(processes) == 7
    totals = suite_cpu.by_command(processes)
    # a `yuebao run`'s worker (python) and the dbt it started count as yuebao; a dbt of its own as dbt
    assert totals["yuebao"] == pytest.approx(11.5 + 9.3 + 0.2 + 0.2)
    assert totals["dbt"] == pytest.approx(7.1)
    assert totals["other: python"] == pytest.approx(5.0)
    assert totals["other: bash"] == pytest.approx(0.01)


def test_trees_are_the_top_level_processes_of_a_command(suite_cpu) -> None:
    trees = sorted(suite_cpu.trees(suite_cpu.parse(DUMP), "yuebao"))
    assert trees == [pytest.approx((0.2, 0.2)), pytest.approx((11.5, 11.5 + 9.3 + 0.2))]
