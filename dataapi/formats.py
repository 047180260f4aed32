"""A data ``Table`` as CSV, JSON, XLSX, Parquet or JSON-stat 2.0 bytes.

Text cells that a spreadsheet would run as a formula (starting with ``= + - @``, tab or CR — a
file name is chosen by whoever sent it) are neutralised: stored as text in XLSX; in CSV (written by
the database, ``query.export_csv``) prefixed with ``'`` (OWASP's CSV-injection advice). Numbers
are never touched.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from dataapi.query import Table


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    filename: str | None = None  # set for downloads (Content-Disposition: attachment)


def csv_response(body: bytes, bom: bool = False) -> Rendered:
    """CSV the database wrote (``query.export_csv``: formula-like text already prefixed with ``'``)."""
    return Rendered((b"\xef\xbb\xbf" if bom else b"") + body, "text/csv; charset=utf-8", "yuebao-data.csv")


def _about(table: Table) -> dict[str, object]:
    release = table.release
    return {
        "version": table.version,
        "release": release.report_month if release else None,
        "published_at": _iso(release.published_at) if release else None,
    }


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def to_json(table: Table) -> Rendered:
    body = _about(table) | {"columns": table.columns, "count": len(table.rows), "data": table.records()}
    return Rendered(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json")


XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header


class TooLargeForSpreadsheet(ValueError):
    """More rows than a worksheet holds (HTTP 422: ask for csv or parquet)."""


def to_xlsx(table: Table) -> Rendered:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if len(table.rows) > XLSX_MAX_ROWS:
        raise TooLargeForSpreadsheet(f"{len(table.rows)} rows do not fit in a worksheet ({XLSX_MAX_ROWS}):"
                                     " ask for format=csv or format=parquet")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    bold = Font(bold=True)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    about = book.create_sheet("about")
    for key, value in _about(table).items():
        cells = [WriteOnlyCell(about, value=key), WriteOnlyCell(about, value=value)]
        for cell in cells:
            cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type
        about.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return Rendered(buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "yuebao-data.xlsx")


def _arrow_type(name: str):
    import pyarrow as pa

    if name in ("value", "yoy_pct"):
        return pa.float64()
    if name == "source_row":
        return pa.int32()
    return pa.string()


def to_parquet(table: Table) -> Rendered:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = [pa.array([row[index] for row in table.rows], type=_arrow_type(name))
              for index, name in enumerate(table.columns)]
    arrow = pa.Table.from_arrays(arrays, names=table.columns).replace_schema_metadata(
        {"yuebao": json.dumps(_about(table))})
    buffer = io.BytesIO()
    pq.write_table(arrow, buffer)
    return Rendered(buffer.getvalue(), "application/vnd.apache.parquet", "yuebao-data.parquet")


def to_jsonstat(table: Table) -> Rendered:
    """A JSON-stat 2.0 dataset: dimensions indicator × region × period (ids are codes, labels
    names, each indicator's unit in ``category.unit``), ``value`` dense in row-major order,
    ``extension.yoy_pct`` aligned with it. Needs both codes and names (``labels`` is ignored)."""
    records = table.records()
    indicators: dict[str, str] = {}
    regions: dict[str, str] = {}
    periods: set[str] = set()
    for record in records:
        indicators[str(record["indicator_code"])] = str(record["indicator_name"])
        regions[str(record["region_code"])] = str(record["region_name"])
        periods.add(str(record["period"]))
    indicator_ids, region_ids, period_ids = sorted(indicators), sorted(regions), sorted(periods)
    size = [len(indicator_ids), len(region_ids), len(period_ids)]
    where = ({code: index for index, code in enumerate(indicator_ids)},
             {code: index for index, code in enumerate(region_ids)},
             {code: index for index, code in enumerate(period_ids)})
    values: list[float | None] = [None] * (size[0] * size[1] * size[2])
    growth: list[float | None] = list(values)
    basis: dict[str, str] = {}
    for record in records:
        flat = ((where[0][str(record["indicator_code"])] * size[1] + where[1][str(record["region_code"])]) * size[2]
                + where[2][str(record["period"])])
        values[flat] = record["value"]  # type: ignore[assignment]
        growth[flat] = record["yoy_pct"]  # type: ignore[assignment]
        basis[str(record["indicator_code"])] = str(record["basis"])
    about = _about(table)
    dataset = {
        "version": "2.0", "class": "dataset", "label": "yuebao 月报指标",
        "source": "yuebao published warehouse",
        "id": ["indicator", "region", "period"], "size": size,
        "role": {"metric": ["indicator"], "geo": ["region"], "time": ["period"]},
        "dimension": {
            "indicator": {"label": "指标", "category": {
                "index": indicator_ids, "label": indicators,
                "unit": {code: {"label": table.units.get(code, "")} for code in indicator_ids}}},
            "region": {"label": "地区", "category": {"index": region_ids, "label": regions}},
            "period": {"label": "统计期", "category": {"index": period_ids,
                                                     "label": {period: period for period in period_ids}}},
        },
        "value": values,
        "extension": {"yoy_pct": growth, "basis": basis, "version": about["version"], "release": about["release"]},
    }
    if about["published_at"]:
        dataset["updated"] = about["published_at"]
    return Rendered(json.dumps(dataset, ensure_ascii=False).encode("utf-8"), "application/json")


FORMATS: dict[str, Callable[..., Rendered]] = {
    "json": to_json, "xlsx": to_xlsx, "parquet": to_parquet, "jsonstat": to_jsonstat,
}
