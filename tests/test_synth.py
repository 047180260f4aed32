"""The synthetic inbox generator: reproducible bytes, contract formats, believable series."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from synth import generate
from synth.catalog import SEEDS_DIR
from synth.writers import GB18030, LONG_HEADER, UTF8_BOM
from yuebao.cli import main as yuebao

ARGS = {"regions": 13, "indicators": 130, "months": 4, "seed": 11, "start": "2024-11"}
PERIOD = re.compile(r"(?:截至)?(\d{4})年(?:1-)?(\d{1,2})月")
Key = tuple[str, str, int, int]  # region_code, indicator_code, year, month


def _digests(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, keyed by relative path."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _reference(root: Path, name: str) -> list[dict[str, str]]:
    with (root / "reference" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _expected_encoding(root: Path, department: str) -> str:
    codes = {d["department_name"]: d["department_code"] for d in _reference(root, "departments")}
    code = codes[department]
    return "gb18030" if code in GB18030 else "utf-8-sig" if code in UTF8_BOM else "utf-8"


class _Resolver:
    """Names, aliases and codes of the generated catalog, and canonical-unit conversion."""

    def __init__(self, root: Path) -> None:
        self.regions: dict[str, str] = {}
        for r in _reference(root, "regions"):
            for label in (r["region_code"], r["region_name"], r["short_name"], *r["aliases"].split("|")):
                if label:
                    self.regions.setdefault(label, r["region_code"])
        self.indicators: dict[str, dict[str, str]] = {}
        for i in _reference(root, "indicators"):
            for label in (i["indicator_name"], *i["aliases"].split("|")):
                if label:
                    self.indicators[label] = i
        self.factor = {u["unit"]: Decimal(u["factor"]) for u in _reference(root, "units")}

    def canonical(self, value: object, unit: str, indicator: dict[str, str]) -> Decimal:
        number = Decimal(str(value).replace(",", ""))
        return number * self.factor[unit] / self.factor[indicator["unit"]]


def _observations(root: Path) -> dict[Key, Decimal]:
    """Every value in every inbox file (long CSV, long and wide .xlsx), in canonical units."""
    res = _Resolver(root)
    out: dict[Key, Decimal] = {}

    def add(region: str, indicator: str, period: str, value: object, unit: str) -> None:
        ind = res.indicators[indicator]
        year, month = map(int, PERIOD.match(period).groups())  # type: ignore[union-attr]
        key = (res.regions[region], ind["indicator_code"], year, month)
        value = res.canonical(value, unit, ind)
        assert out.setdefault(key, value) == value, key

    for path in sorted(root.glob("20*/*")):
        if path.suffix == ".csv":
            encoding = _expected_encoding(root, path.name.split("_")[0])
            for row in list(csv.reader(path.read_text(encoding=encoding).splitlines()))[1:]:
                add(row[2], row[3], row[1], row[4], row[5])
            continue
        rows = list(openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
        if rows[0][0] == "报送单位":
            for row in rows[1:]:
                add(row[2], row[3], row[1], row[4], row[5])
        else:
            period = str(rows[0][0])
            headers = [re.fullmatch(r"(.+)\((.+)\)", h).groups() for h in rows[1][1:]]  # type: ignore[union-attr]
            for row in rows[2:]:
                if str(row[0]).startswith(("注", "备注")):
                    continue
                for (indicator, unit), value in zip(headers, row[1:], strict=True):
                    add(str(row[0]), indicator, period, value, unit)
    return out


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    summary = generate(out, **ARGS)
    assert summary.months == ("2024-11", "2024-12", "2025-01", "2025-02")
    assert summary.observations == 13 * 130 * 4
    return out


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(inbox: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, **ARGS)
    first = _digests(inbox)
    assert any(name.endswith(".xlsx") for name in first) and any(name.endswith(".csv") for name in first)
    assert _digests(again) == first

    other = tmp_path / "other"
    generate(other, **(ARGS | {"seed": 12}))
    changed = {name for name, digest in _digests(other).items() if first.get(name) != digest}
    inbox_files = {name for name in first if not name.startswith("reference/")}
    assert changed == inbox_files


def test_csv_files_use_their_declared_encoding_crlf_and_the_exact_header(inbox: Path) -> None:
    seen = set()
    for path in sorted(inbox.glob("20*/*.csv")):
        raw = path.read_bytes()
        department = path.name.split("_")[0]
        encoding = _expected_encoding(inbox, department)
        seen.add(encoding)
        assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig"), path.name
        text = raw.decode(encoding)
        assert raw.count(b"\n") == raw.count(b"\r\n") > 1, path.name
        rows = list(csv.reader(text.splitlines()))
        assert tuple(rows[0]) == LONG_HEADER
        assert {row[0] for row in rows[1:]} == {department}
        assert all(len(row) == len(LONG_HEADER) for row in rows)
    assert seen == {"utf-8", "utf-8-sig", "gb18030"}


def test_ytd_series_grow_within_a_year_and_the_city_is_the_sum_of_its_counties(inbox: Path) -> None:
    obs = _observations(inbox)
    indicators = {i["indicator_code"]: i for i in _reference(inbox, "indicators")}
    regions = _reference(inbox, "regions")
    counties = [r["region_code"] for r in regions if r["parent_code"] == "430500"]
    assert len(counties) == 12

    series: dict[tuple[str, str, int], list[tuple[int, Decimal]]] = defaultdict(list)
    for (region, code, year, month), value in obs.items():
        if indicators[code]["basis"] == "ytd":
            series[region, code, year].append((month, value))
    assert len(series) > 100
    for key, points in series.items():
        values = [v for _, v in sorted(points)]
        assert values == sorted(values), key
        assert values[0] > 0, key

    resets = [
        obs[r, c, 2025, 1] < obs[r, c, 2024, 12]
        for (r, c, y, m) in obs
        if (y, m) == (2025, 1) and indicators[c]["basis"] == "ytd" and (r, c, 2024, 12) in obs
    ]
    assert resets and all(resets)

    summed = 0
    for (region, code, year, month), value in obs.items():
        if region == "430500" and indicators[code]["basis"] in ("ytd", "stock"):
            assert value == sum(obs[c, code, year, month] for c in counties), (code, year, month)
            summed += 1
    assert summed > 50


def test_yoy_matches_the_values_a_year_earlier(tmp_path: Path) -> None:
    generate(tmp_path, regions=13, indicators=40, months=13, seed=3, start="2024-01")
    res = _Resolver(tmp_path)
    obs = _observations(tmp_path)
    checked = 0
    for path in sorted(tmp_path.glob("20*/*.csv")):
        encoding = _expected_encoding(tmp_path, path.name.split("_")[0])
        for row in list(csv.reader(path.read_text(encoding=encoding).splitlines()))[1:]:
            if not row[6]:
                continue
            ind = res.indicators[row[3]]
            year, month = map(int, PERIOD.match(row[1]).groups())  # type: ignore[union-attr]
            region = res.regions[row[2]]
            before = obs.get((region, ind["indicator_code"], year - 1, month))
            if before:
                now = obs[region, ind["indicator_code"], year, month]
                assert abs(float(now / before - 1) * 100 - float(row[6].rstrip("%"))) <= 0.051, row
                checked += 1
    assert checked > 20


def test_reference_catalog_has_the_seed_headers_and_covers_every_name_in_the_inbox(inbox: Path) -> None:
    for name in ("regions", "indicators", "departments", "units"):
        seed_header = (SEEDS_DIR / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert (inbox / "reference" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[
            0
        ] == seed_header
    obs = _observations(inbox)  # raises KeyError on a region or indicator missing from the catalog
    assert len(obs) == 13 * 130 * 4  # one value per region × indicator × report month, none lost
    assert {key[0] for key in obs} == {r["region_code"] for r in _reference(inbox, "regions")} - {"430000"}
    assert len({key[1] for key in obs}) == 130
    assert any(i["indicator_code"].startswith("synth_") for i in _reference(inbox, "indicators"))


def test_large_region_counts_keep_hunan_and_add_coded_prefectures_and_counties(tmp_path: Path) -> None:
    summary = generate(tmp_path, regions=300, indicators=3, months=1, seed=1)
    regions = _reference(tmp_path, "regions")
    codes = [r["region_code"] for r in regions]
    assert summary.regions == len(regions) == 300
    assert len(set(codes)) == 300 and all(re.fullmatch(r"\d{6}", c) for c in codes)
    real = (SEEDS_DIR / "regions.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert set(real) <= set((tmp_path / "reference" / "regions.csv").read_text(encoding="utf-8").splitlines())
    by_code = {r["region_code"]: r for r in regions}
    assert [r["region_code"] for r in regions if not r["parent_code"]] == ["430000"]
    parent_level = {"county": "prefecture", "prefecture": "province"}
    for r in regions[1:]:
        assert by_code[r["parent_code"]]["level"] == parent_level[r["level"]], r
    assert any(r["region_name"] == "合成市001" for r in regions)


def test_cli_writes_an_inbox_and_refuses_to_overwrite_without_force(tmp_path: Path, capsys) -> None:
    argv = ["synth", "--regions", "2", "--indicators", "3", "--months", "1", "--out", str(tmp_path), "--seed", "5"]
    assert yuebao(argv) == 0
    assert "observations" in capsys.readouterr().out
    assert yuebao(argv) == 2
    assert "is not empty" in capsys.readouterr().err
    assert yuebao([*argv, "--force"]) == 0
    assert yuebao([*argv, "--force", "--start", "2024-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_a_department_month_over_the_file_limit_is_split_into_parts_that_load_cleanly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    from ingestion.load import ingest_month
    from synth import writers

    monkeypatch.setattr(writers, "MAX_ROWS_PER_FILE", 60)  # a few indicators × 13 regions per part
    summary = generate(tmp_path / "inbox", regions=13, indicators=40, months=1, seed=3, start="2024-10")
    parts = sorted(p.name for p in (tmp_path / "inbox" / "2024-10").glob("*_第2部分.*"))
    assert parts, "no department was split"
    for path in (tmp_path / "inbox" / "2024-10").glob("*.csv"):
        assert len(path.read_bytes().splitlines()) - 1 <= 60
    with duckdb.connect() as con:
        loaded = ingest_month(con, tmp_path / "inbox", tmp_path / "home", "2024-10",
                              tmp_path / "inbox" / "reference" / "departments.csv")
    assert (loaded.files_rejected, loaded.issues, loaded.quarantined) == (0, 0, 0)
    assert loaded.observations == summary.observations == 13 * 40
