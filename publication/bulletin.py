"""The monthly bulletin (first version): the report month's indicators, by action, as Markdown."""

from __future__ import annotations

from pathlib import Path

import duckdb

REPORT_VIEW = """
with latest as (
    select
        fct.*,
        row_number() over (partition by indicator_code, region_code order by period desc) as recency
    from fct_indicator_monthly as fct
    where period <= cast(? as date)
)
select
    latest.action, dim_action.action_order, latest.indicator_name, latest.region_name,
    latest.region_code, latest.period, latest.value, latest.unit, latest.yoy_pct,
    latest.rank_province, latest.rank_subregion, latest.completion_pct, latest.source_file,
    latest.source_row
from latest
inner join dim_action on latest.action = dim_action.action
where recency = 1
order by dim_action.action_order, latest.indicator_code, latest.region_code
"""


def format_number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return ""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def render_markdown(con: duckdb.DuckDBPyConnection, month: str) -> str:
    rows = con.execute(REPORT_VIEW, [f"{month}-01"]).fetchall()
    year, number = month.split("-")
    lines = [f"# 邵阳市实施“八大行动”工作月报（{year}年{int(number)}月）", "", "【重要指标】", ""]
    current_action = None
    for (action, _order, indicator, region, _code, period, value, unit, yoy, rank_p, rank_s,
         completion, source_file, source_row) in rows:
        if action != current_action:
            lines += ["", f"## ▲实施{action}", "",
                      "| 指标 | 地区 | 统计期 | 数值 | 单位 | 同比(%) | 全省排名 | 片区排名 | 完成率(%) | 来源 |",
                      "|---|---|---|---|---|---|---|---|---|---|"]
            current_action = action
        lines.append(
            f"| {indicator} | {region} | {period:%Y年%m月} | {format_number(value, 4)} | {unit} | "
            f"{format_number(yoy)} | {rank_p or ''} | {rank_s or ''} | {format_number(completion)} | "
            f"{source_file} 第{source_row}行 |"
        )
    return "\n".join(lines) + "\n"


def write_bulletin(database: Path, month: str, publish_dir: Path) -> Path:
    publish_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database), read_only=True) as con:
        text = render_markdown(con, month)
    target = publish_dir / "bulletin.md"
    target.write_text(text, encoding="utf-8")
    return target
