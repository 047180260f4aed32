"""Incremental builds: does loading month 121 cost about what loading month 2 costs?

For each history length, a DuckDB warehouse gets N months of synthetic landing rows (13 regions ×
104 indicators, one file per department and month, plus one department resending last month with
revised values), is built once in full, then receives the same kind of single-month delta and is
built incrementally. Only that last ``dbt build`` is timed (wall clock of the CLI, and the sum of
the model nodes' execution times from run_results.json).

    .venv/bin/python bench/bench_incremental.py [--months 2 121] [--repeat 3]

Writes bench/results/incremental.json and prints the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingestion.landing import ensure_tables  # noqa: E402
from yuebao import DBT_PROJECT_DIR, SEEDS_DIR  # noqa: E402

DBT = str(Path(sys.executable).with_name("dbt"))
FIRST_MONTH = date(2015, 1, 1)
RESULTS = ROOT / "bench" / "results" / "incremental.json"

# One report month's landing rows: every indicator for the city and its 12 counties at the report
# month's own period, and the previous period of one department's indicators resent with +1 %.
MONTH_ROWS = """
with catalog as (
    select indicator_code, indicator_name, unit, basis, department
    from read_csv('{seeds}/indicators.csv', header = true, all_varchar = true)
),
regions as (
    select region_code, region_name
    from read_csv('{seeds}/regions.csv', header = true, all_varchar = true)
    where region_code = '430500' or parent_code = '430500'
),
months as (
    select cast(report_month as date) as report_month,
           date_diff('month', date '{first}', cast(report_month as date)) as month_number
    from generate_series(date '{start}', date '{end}', interval 1 month) as months(report_month)
),
sent as (
    select months.report_month, months.report_month as period, false as revised, catalog.*
    from months cross join catalog
    union all
    select months.report_month, cast(months.report_month - interval 1 month as date), true, catalog.*
    from months
    cross join catalog
    where months.month_number > 0
        and catalog.department = (select min(department) from catalog)
),
valued as (
    select sent.*, regions.region_code, regions.region_name,
        (hash(sent.indicator_code, regions.region_code) % 900 + 100) / 10.0 as level,
        month(sent.period) as month_of_year, year(sent.period) - 2014 as year_number
    from sent cross join regions
)
select
    report_month,
    sha256(department || cast(report_month as varchar) || cast(revised as varchar)) as file_sha256,
    department || '_' || strftime(report_month, '%Y-%m') || case when revised then '_修订' else '' end || '.csv'
        as source_file,
    true as is_current_file,
    null as source_sheet,
    cast(row_number() over (partition by report_month, department, revised
                            order by indicator_code, region_code) + 1 as integer) as source_row,
    cast(report_month + interval 4 day + case when revised then interval 1 hour else interval 0 hour end
         as timestamp) as received_at,
    department, department as department_raw, strftime(period, '%Y年%m月') as period_raw, period,
    'month' as period_form, region_name as region_raw, indicator_name as indicator_raw,
    null as value_raw,
    round(case basis
        when 'ytd' then level * month_of_year * (1 + 0.05 * year_number)
        when 'rate' then level / 10 - 3
        else level * (1 + 0.05 * year_number)
    end * case when revised then 1.01 else 1 end, 4) as value,
    unit as unit_raw, null as yoy_pct, null as rank_province, null as rank_subregion,
    case when basis = 'ytd' then round(level * 13 * (1 + 0.05 * year_number), 2) end as annual_target,
    null as note, 'ok' as row_status
from valued
"""


def add_months(start: date, count: int) -> date:
    index = start.year * 12 + start.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def land(database: Path, start: date, end: date) -> None:
    """Insert the synthetic landing rows of report months start..end (first days of months)."""
    with duckdb.connect(str(database)) as con:
        ensure_tables(con)
        query = MONTH_ROWS.format(seeds=SEEDS_DIR, first=FIRST_MONTH, start=start, end=end)
        con.execute(f"insert into landing.observations by name ({query})")
        con.execute("""
            insert into landing.files by name
            select report_month, file_sha256, source_file, is_current_file, department,
                   0 as size_bytes, min(received_at) as received_at, 'loaded' as status,
                   count(*) as rows_read, 0 as rows_quarantined
            from landing.observations where report_month between ? and ?
            group by all
        """, [start, end])


def dbt_build(database: Path, month: date, workdir: Path, full_refresh: bool = False) -> dict[str, float]:
    env = os.environ | {"YUEBAO_DUCKDB_PATH": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    target = workdir / "dbt_target"
    args = [DBT, "build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target), "--log-path", str(workdir / "dbt_logs"),
            "--vars", f"{{report_month: '{month}'}}", *(["--full-refresh"] if full_refresh else [])]
    started = time.perf_counter()
    completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"dbt build failed for {month}:\n{completed.stdout[-3000:]}")
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    models = sum(r["execution_time"] for r in results if r["unique_id"].startswith("model."))
    return {"wall_s": wall, "models_s": models}


def measure(report_month_number: int, repeat: int) -> dict[str, object]:
    """Time the incremental build of the report_month_number-th month (1 = 2015-01)."""
    month = add_months(FIRST_MONTH, report_month_number - 1)
    timings: list[dict[str, float]] = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="yb-bench-") as tmp:
            workdir = Path(tmp)
            database = workdir / "warehouse.duckdb"
            previous = add_months(month, -1)
            land(database, FIRST_MONTH, previous)
            dbt_build(database, previous, workdir, full_refresh=True)
            land(database, month, month)
            timings.append(dbt_build(database, month, workdir))
            with duckdb.connect(str(database), read_only=True) as con:
                landed = con.execute("select count(*) from landing.observations").fetchone()[0]
    return {
        "report_month": str(month)[:7],
        "months_of_history": report_month_number - 1,
        "landing_rows": landed,
        "wall_s_median": round(statistics.median(t["wall_s"] for t in timings), 2),
        "models_s_median": round(statistics.median(t["models_s"] for t in timings), 2),
        "runs": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, nargs=2, default=[2, 121], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    small, large = (measure(number, args.repeat) for number in args.months)
    result = {
        "what": "incremental dbt build of one report month (13 regions × 104 indicators, "
                "plus one department's previous month revised) after N months of history",
        "small": small,
        "large": large,
        "ratio_wall": round(large["wall_s_median"] / small["wall_s_median"], 2),
        "ratio_models": round(large["models_s_median"] / small["models_s_median"], 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"month {small['report_month']}: {small['wall_s_median']} s wall, {small['models_s_median']} s models")
    print(f"month {large['report_month']}: {large['wall_s_median']} s wall, {large['models_s_median']} s models")
    print(f"ratio (month {args.months[1]} / month {args.months[0]}): wall {result['ratio_wall']}, "
          f"models {result['ratio_models']}")


if __name__ == "__main__":
    main()
