"""Each format of /api/v1/data read back with its own library, the same rows in each; formulas
in text cells (file names are chosen by senders) never run in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pyarrow.parquet as pq
from pyjstat import pyjstat

from tests.dataapi.conftest import CITY, HOSTILE_FILE, OCTOBER_NEW, SEPTEMBER_REVISED

QUERY = {"indicator": "retail_sales", "region": "city_and_counties"}


def from_csv(client, **params: str) -> list[dict[str, str]]:
    body = client.get("/api/v1/data", params=QUERY | params).content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def test_every_format_carries_the_same_rows(open_client, target) -> None:
    client = open_client("revised", target)
    expected = [(row["region_code"], row["period"], float(row["value"])) for row in from_csv(client)]
    assert (CITY, "2024-10", OCTOBER_NEW) in expected and len(expected) == 14

    as_json = client.get("/api/v1/data", params=QUERY | {"format": "json"})
    assert as_json.headers["content-type"] == "application/json"
    body = as_json.json()
    assert body["release"] == "2024-11" and body["count"] == 14
    assert [(row["region_code"], row["period"], row["value"]) for row in body["data"]] == expected

    as_xlsx = client.get("/api/v1/data", params=QUERY | {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True)["data"]
    header, *data = list(sheet.iter_rows(values_only=True))
    assert [(row[header.index("region_code")], row[0], row[header.index("value")]) for row in data] == expected

    as_parquet = pq.read_table(io.BytesIO(client.get("/api/v1/data", params=QUERY | {"format": "parquet"}).content))
    assert as_parquet.column_names == list(header)
    assert str(as_parquet.schema.field("value").type) == "double"
    assert list(zip(as_parquet["region_code"].to_pylist(), as_parquet["period"].to_pylist(),
                    as_parquet["value"].to_pylist(), strict=True)) == expected

    as_jsonstat = client.get("/api/v1/data", params=QUERY | {"format": "jsonstat"}).text
    dataset = pyjstat.Dataset.read(as_jsonstat)
    frame = dataset.write("dataframe", naming="id").dropna(subset=["value"])
    assert sorted(zip(frame["region"], frame["period"], frame["value"], strict=True)) == sorted(expected)
    units = json.loads(as_jsonstat)["dimension"]["indicator"]["category"]["unit"]
    assert units == {"retail_sales": {"label": "亿元"}}


def test_csv_is_utf8_with_a_bom_only_on_request(open_client) -> None:
    client = open_client("sample")
    plain = client.get("/api/v1/data", params=QUERY)
    assert plain.headers["content-type"] == "text/csv; charset=utf-8"
    assert plain.content.startswith(b"period,") and "邵阳市".encode() in plain.content
    assert client.get("/api/v1/data", params=QUERY | {"bom": "true"}).content.startswith(b"\xef\xbb\xbfperiod,")


def test_labels_choose_codes_names_or_both(open_client) -> None:
    client = open_client("sample")
    assert {row["region_name"] for row in from_csv(client, labels="name")} >= {"邵阳市", "城步苗族自治县"}
    assert "region_name" not in from_csv(client, labels="code")[0]
    assert set(from_csv(client, labels="both")[0]) >= {"region_code", "region_name"}


def test_a_formula_in_a_file_name_stays_text(open_client) -> None:
    client = open_client("revised")
    provenance = {"provenance": "true", "region": "city"}
    [row, *_] = [row for row in from_csv(client, **provenance) if row["source_file"].startswith("'")]
    assert row["source_file"] == "'" + HOSTILE_FILE
    workbook = client.get("/api/v1/data", params=QUERY | provenance | {"format": "xlsx"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(workbook))["data"]
    cells = [cell for line in sheet.iter_rows(min_row=2) for cell in line if cell.value == HOSTILE_FILE]
    assert cells and all(cell.data_type == "s" for cell in cells)  # stored as text, not as a formula
    values = [cell.value for line in sheet.iter_rows(min_row=2) for cell in line
              if isinstance(cell.value, int | float)]
    assert SEPTEMBER_REVISED in values  # numbers stay numbers


def test_large_csv_answers_written_by_duckdb_equal_small_ones_written_here(open_client, monkeypatch) -> None:
    from dataapi import warehouse

    client = open_client("revised")
    params = QUERY | {"provenance": "true", "region": "city_and_counties,province"}
    small = client.get("/api/v1/data", params=params).content
    monkeypatch.setattr(warehouse, "SMALL_CSV_ROWS", 1)
    large = client.get("/api/v1/data", params=params).content
    assert large.count(b"\n") > 2 and b"'=" in large
    assert large == small


def test_more_rows_than_allowed_get_422_naming_the_way_out(open_client, monkeypatch) -> None:
    from dataapi import formats

    client = open_client("sample")
    monkeypatch.setattr(formats, "XLSX_MAX_ROWS", 5)
    response = client.get("/api/v1/data", params=QUERY | {"format": "xlsx"})
    assert response.status_code == 422 and "format=csv" in response.json()["detail"]
