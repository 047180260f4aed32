"""GET /api/v1/data: every filter, last/common, measure, as_of, updated_after and the published-only
rule — the same tests on the DuckDB file and on PostgreSQL's marts."""

from __future__ import annotations

import csv
import io

import pytest

from dataapi.query import COLUMNS, PROVENANCE_COLUMNS
from tests.dataapi.conftest import CITY, OCTOBER_NEW, SEPTEMBER_BEFORE, SEPTEMBER_REVISED

# The documented schema (docs/analysts.md): changing it breaks every analyst's script.
PINNED_COLUMNS = ["period", "region_code", "region_name", "indicator_code", "indicator_name", "unit", "basis",
                  "measure", "value", "yoy_pct"]
PINNED_PROVENANCE = ["department", "submitted_by", "report_month", "source_file", "source_sheet", "source_row"]


def rows(client, **params: object) -> list[dict[str, str]]:
    response = client.get("/api/v1/data", params=params)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def keys(found: list[dict[str, str]]) -> set[tuple[str, str, str]]:
    return {(row["indicator_code"], row["region_code"], row["period"]) for row in found}


def test_the_column_names_and_their_order_are_pinned(open_client, target) -> None:
    client = open_client("sample", target)
    assert [name for name, _ in COLUMNS] == PINNED_COLUMNS
    assert [name for name, _ in PROVENANCE_COLUMNS] == PINNED_PROVENANCE
    header = client.get("/api/v1/data", params={"indicator": "retail_sales"}).text.splitlines()[0]
    assert header.split(",") == PINNED_COLUMNS
    header = client.get("/api/v1/data", params={"indicator": "retail_sales", "provenance": "true"}).text.splitlines()[0]
    assert header.split(",") == PINNED_COLUMNS + PINNED_PROVENANCE
    assert client.get("/api/v1/data", params={"indicator": "retail_sales", "labels": "code"}).text.splitlines()[0].split(",") == [
        name for name in PINNED_COLUMNS if not name.endswith("_name")]
    assert client.get("/api/v1/data", params={"indicator": "retail_sales", "labels": "name"}).text.splitlines()[0].split(",") == [
        name for name in PINNED_COLUMNS if not name.endswith("_code")]


def test_indicator_by_code_standard_name_alias_or_wildcard(open_client, target) -> None:
    client = open_client("sample", target)
    by_code = rows(client, indicator="retail_sales", region="city")
    assert [(row["period"], float(row["value"]), float(row["yoy_pct"])) for row in by_code] == [("2024-09", 1135.4, 5.8)]
    assert rows(client, indicator="社会消费品零售总额", region="city") == by_code
    assert rows(client, indicator="社零", region="city") == by_code  # an alias of the catalog
    wildcard = rows(client, indicator="retail_sales*", region="city")
    assert {row["indicator_code"] for row in wildcard} == {"retail_sales", "retail_sales_growth"}
    both = rows(client, indicator="retail_sales, accidents", region="city")
    assert {row["indicator_code"] for row in both} == {"retail_sales", "accidents"}


def test_region_by_code_name_level_city_and_its_counties(open_client, target) -> None:
    client = open_client("sample", target)
    counties = rows(client, indicator="retail_sales", region="county")
    assert len(counties) == 12 and CITY not in {row["region_code"] for row in counties}
    city_and_counties = rows(client, indicator="retail_sales", region="city_and_counties")
    assert {row["region_code"] for row in city_and_counties} == {CITY} | {row["region_code"] for row in counties}
    assert rows(client, indicator="retail_sales", region="邵阳市") == rows(client, indicator="retail_sales", region=CITY)
    assert [row["region_name"] for row in rows(client, indicator="retail_sales", region="城步县")] == ["城步苗族自治县"]
    prefectures = rows(client, indicator="retail_sales_growth", region="prefecture", last=1)
    assert {row["region_code"][-2:] for row in prefectures} == {"00"} and len(prefectures) >= 1


def test_action_and_department_select_their_indicators(open_client, target) -> None:
    client = open_client("sample", target)
    safety = rows(client, action="安全守底行动", region="city")
    assert safety and {row["indicator_code"] for row in safety} >= {"accidents", "accident_deaths"}
    commerce = rows(client, department="市商务局", region="city")
    assert "retail_sales" in {row["indicator_code"] for row in commerce}
    both = rows(client, department="市商务局", action="安全守底行动")
    assert both == []  # the filters combine: the commerce bureau owns no safety indicator


def test_from_to_and_last_n_periods_of_each_series(open_client, target) -> None:
    client = open_client("revised", target)
    series = rows(client, indicator="retail_sales", region="city")
    assert [row["period"] for row in series] == ["2024-09", "2024-10"]
    assert [row["period"] for row in rows(client, indicator="retail_sales", region="city", last=1)] == ["2024-10"]
    assert [row["period"] for row in rows(client, indicator="retail_sales", region="city", **{"from": "2024-10"})] == [
        "2024-10"]
    assert [row["period"] for row in rows(client, indicator="retail_sales", region="city", to="2024-09")] == ["2024-09"]
    per_series = rows(client, indicator="retail_sales", region="city_and_counties", last=1)
    assert len(per_series) == 13  # one row per series, each at its own latest period
    assert {row["period"] for row in per_series} == {"2024-09", "2024-10"}


def test_common_gives_the_latest_period_every_selected_series_has(open_client, target) -> None:
    client = open_client("revised", target)
    common = rows(client, indicator="retail_sales", region="city_and_counties", last=1, common="true")
    assert {row["period"] for row in common} == {"2024-09"} and len(common) == 13


def test_measure_value_month_is_the_months_own_part(open_client, target) -> None:
    client = open_client("sample", target)
    [october] = rows(client, indicator="accidents", region="city", measure="value_month", **{"from": "2024-10"})
    assert (october["measure"], float(october["value"]), october["yoy_pct"]) == ("value_month", 4.0, "")
    [ytd] = rows(client, indicator="accidents", region="city", **{"from": "2024-10"})
    assert (ytd["measure"], float(ytd["value"])) == ("value", 50.0)
    rates = rows(client, indicator="retail_sales_growth", region="city", measure="value_month")
    assert rates == []  # a rate has no month's own part


def test_as_of_serves_the_value_as_published_in_that_report_month(open_client, target) -> None:
    client = open_client("revised", target)
    latest = {row["period"]: float(row["value"]) for row in rows(client, indicator="retail_sales", region="city")}
    assert latest == {"2024-09": SEPTEMBER_REVISED, "2024-10": OCTOBER_NEW}
    october = rows(client, indicator="retail_sales", region="city", as_of="2024-10", provenance="true")
    assert [(row["period"], float(row["value"]), row["report_month"]) for row in october] == [
        ("2024-09", SEPTEMBER_BEFORE, "2024-10")]
    assert rows(client, indicator="retail_sales", region="city", as_of="2024-11") == rows(
        client, indicator="retail_sales", region="city")
    for never in ("2024-09", "2025-01"):
        response = client.get("/api/v1/data", params={"as_of": never})
        assert response.status_code == 404 and "as_of" in response.json()["detail"]


def test_updated_after_lists_what_a_later_release_changed(open_client, target) -> None:
    client = open_client("revised", target)
    changed = rows(client, updated_after="2024-11-20T00:00:00Z", provenance="true")
    assert keys(changed) == {("retail_sales", CITY, "2024-09"), ("retail_sales", CITY, "2024-10")}
    assert all(row["report_month"] == "2024-11" for row in changed)
    everything = rows(client, updated_after="2024-11-01T00:00:00+08:00")
    assert len(everything) == len(rows(client))
    assert rows(client, updated_after="2024-12-06T00:00:00") == []  # naive = UTC


def test_a_month_not_approved_is_never_served(open_client, target) -> None:
    client = open_client("approved", target)
    served = rows(client, indicator="retail_sales", region="city")
    assert [(row["period"], float(row["value"])) for row in served] == [("2024-09", SEPTEMBER_BEFORE)]
    assert rows(client, updated_after="2024-11-20T00:00:00Z") == []
    assert client.get("/api/v1/data", params={"as_of": "2024-11"}).status_code == 404
    releases = client.get("/api/v1/meta/releases").json()["data"]
    assert [(item["report_month"], item["approved_by"]) for item in releases] == [("2024-10", "张审核")]
    periods = [item["period"] for item in client.get("/api/v1/meta/periods").json()["data"]]
    assert "2024-09" in periods
    page = client.get("/data/indicators/retail_sales").text
    assert "1,140.2" not in page and "1,265" not in page


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "2024-9"}, "from: expected a month as YYYY-MM"),
    ({"to": "十月"}, "to: expected a month as YYYY-MM"),
    ({"from": "2024-10", "to": "2024-09"}, "is after"),
    ({"format": "xls"}, "format: expected one of csv, json, xlsx, parquet, jsonstat"),
    ({"labels": "both,code"}, "labels: expected one of"),
    ({"measure": "month"}, "measure: expected one of value, value_month"),
    ({"updated_after": "yesterday"}, "updated_after: expected an ISO 8601 timestamp"),
    ({"common": "maybe"}, "common: expected true or false"),
])
def test_bad_parameters_get_422_with_a_clear_message(open_client, params, message) -> None:
    response = open_client("sample").get("/api/v1/data", params=params)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_last_must_be_a_positive_number(open_client) -> None:
    assert open_client("sample").get("/api/v1/data", params={"last": 0}).status_code == 422


def test_unknown_codes_get_404_naming_them(open_client, target) -> None:
    client = open_client("sample", target)
    response = client.get("/api/v1/data", params={"indicator": "retail_sales,retail_salse"})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("unknown indicator: retail_salse")
    assert client.get("/api/v1/data", params={"region": "邵阳县城"}).status_code == 404
    assert client.get("/api/v1/data", params={"department": "市外交部"}).status_code == 404


def test_filters_are_parameters_never_sql(open_client, target) -> None:
    client = open_client("sample", target)
    for hostile in ("retail_sales' or '1'='1", "x'); drop table dim_region; --"):
        assert client.get("/api/v1/data", params={"indicator": hostile}).status_code == 404
    assert rows(client, indicator="retail_sales", region="city")
