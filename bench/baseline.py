"""The script a data analyst would write instead of yuebao: one process, pandas + one DuckDB query.

    python bench/baseline.py --inbox DIR --month YYYY-MM [--reference DIR] [--out fct.parquet]

It reads every ``<inbox>/<YYYY-MM>/`` up to ``--month`` and computes ``fct_indicator_monthly``'s
measures (value in the canonical unit, value_month, yoy_pct, completion_pct, schedule_pct).
Files are parsed with yuebao's own ``ingestion.load.read_file`` (encodings, the two layouts,
``1-9月`` periods): an analyst would reuse it rather than rewrite ~700 lines of parsing, so the
ingest stage compares orchestration + archive + landing, not parsing. Left out on purpose,
as an analyst would: the raw archive, resubmissions (latest report month, then the last file
and row wins), ranks, issue reports, publication. Prints its stage timings as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingestion.departments import DepartmentDirectory  # noqa: E402
from ingestion.load import inbox_files, read_file  # noqa: E402
from ingestion.periods import Period  # noqa: E402

SEEDS = ROOT / "dbt_project" / "seeds"
MONTH_FOLDER = re.compile(r"^\d{4}-\d{2}$")

FCT_SQL = """
with spellings as (
    select region_code as code, unnest([region_name, short_name, region_code]
        || coalesce(string_split(aliases, '|'), [])) as name, 'region' as kind from regions
    union all
    select indicator_code, unnest([indicator_name, indicator_code]
        || coalesce(string_split(aliases, '|'), [])), 'indicator' from indicators
    union all
    select unit, unnest([unit] || coalesce(string_split(aliases, '|'), [])), 'unit' from units
),
names as (
    select distinct kind, lower(replace(trim(name), ' ', '')) as name_key, code
    from spellings where name is not null and trim(name) <> ''
),
resolved as (
    select o.*, r.code as region_code, i.code as indicator_code, ind.unit, ind.basis,
           s.factor / c.factor as factor,
           row_number() over (partition by i.code, r.code, o.period
                              order by o.report_month desc, o.source_file desc, o.source_row desc) as vintage
    from observations o
    join names r on r.kind = 'region' and r.name_key = lower(replace(trim(o.region_raw), ' ', ''))
    join names i on i.kind = 'indicator' and i.name_key = lower(replace(trim(o.indicator_raw), ' ', ''))
    join names u on u.kind = 'unit' and u.name_key = lower(replace(trim(o.unit_raw), ' ', ''))
    join indicators ind on ind.indicator_code = i.code
    join units s on s.unit = u.code
    join units c on c.unit = ind.unit and c.dimension = s.dimension
    where o.row_status = 'ok'
),
latest as (
    select indicator_code, region_code, period, unit, basis, yoy_pct,
           round(value * factor, 10) as value, round(annual_target * factor, 10) as annual_target
    from resolved where vintage = 1
)
select
    cur.indicator_code, cur.region_code, cur.period, cur.unit, cur.value,
    case when cur.basis = 'month' or (cur.basis = 'ytd' and month(cur.period) = 1) then cur.value
         when cur.basis = 'ytd' then cur.value - prev.value end as value_month,
    coalesce(cur.yoy_pct, case when cur.basis in ('ytd', 'month', 'stock') and last_year.value <> 0
        then round((cur.value / last_year.value - 1) * 100, 2) end) as yoy_pct,
    case when cur.annual_target > 0 then cur.value / cur.annual_target * 100 end as completion_pct,
    round(month(cur.period) * 100 / 12, 2) as schedule_pct
from latest cur
left join latest prev on prev.indicator_code = cur.indicator_code and prev.region_code = cur.region_code
    and prev.period = cur.period - interval 1 month
left join latest last_year on last_year.indicator_code = cur.indicator_code
    and last_year.region_code = cur.region_code and last_year.period = cur.period - interval 12 month
"""

CHECKS_SQL = """
select
    count(*) as rows,
    count(*) - count(distinct (indicator_code, region_code, period)) as duplicate_keys,
    count(*) filter (where value is null) as null_values,
    count(*) filter (where completion_pct < 0) as negative_completion
from fct
"""


def read_inbox(inbox: Path, month: str, reference: Path) -> pd.DataFrame:
    """Every ok row of every file of every report month up to ``month``, with its provenance."""
    directory = DepartmentDirectory(reference / "departments.csv")
    rows: list[dict[str, object]] = []
    for folder in sorted(p for p in inbox.iterdir() if MONTH_FOLDER.match(p.name) and p.name <= month):
        report_month = date(int(folder.name[:4]), int(folder.name[5:]), 1)
        for path in inbox_files(folder):
            read = read_file(path.read_bytes(), path.name, Period(report_month, "month"), directory)
            provenance = {"report_month": report_month, "source_file": path.name}
            rows.extend(provenance | row for row in read.observations)
    return pd.DataFrame.from_records(rows)


def compute_fct(con: duckdb.DuckDBPyConnection, observations: pd.DataFrame, reference: Path) -> None:
    """Create table ``fct`` in ``con`` from the observations and the catalog CSVs."""
    for name in ("regions", "indicators", "units"):
        con.execute(f"create or replace table {name} as select * from read_csv('{reference / name}.csv', "
                    "all_varchar = true)")
    con.execute("alter table units alter factor type double")
    con.register("observations", observations)
    con.execute(f"create or replace table fct as {FCT_SQL}")


def run(inbox: Path, month: str, reference: Path, out: Path | None = None) -> dict[str, float | int]:
    """Run the baseline; returns its stage timings (seconds) and row counts."""
    timings: dict[str, float | int] = {}
    began = time.perf_counter()
    observations = read_inbox(inbox, month, reference)
    timings["ingest"] = time.perf_counter() - began
    con = duckdb.connect()
    began = time.perf_counter()
    compute_fct(con, observations, reference)
    timings["transform"] = time.perf_counter() - began
    began = time.perf_counter()
    rows, duplicates, nulls, negative = con.execute(CHECKS_SQL).fetchone()
    timings["quality"] = time.perf_counter() - began
    if out is not None:
        con.execute(f"copy (select * from fct order by all) to '{out}' (format parquet)")
    return timings | {"observations": len(observations), "fct_rows": rows, "duplicate_keys": duplicates,
                      "null_values": nulls, "negative_completion": negative}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--month", required=True, help="last report month to read, YYYY-MM")
    parser.add_argument("--reference", type=Path, default=SEEDS, help="catalog CSVs (default: the dbt seeds)")
    parser.add_argument("--out", type=Path, help="write the fct table here (Parquet)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.inbox, args.month, args.reference, args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
