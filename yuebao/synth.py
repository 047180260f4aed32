"""Deterministic synthetic monthly inboxes, for load, scale and robustness tests.

``generate()`` writes ``<out>/<YYYY-MM>/`` inboxes in the contract's formats
(long CSV in UTF-8, UTF-8 with BOM or GB18030, long .xlsx, the statistics
bureau's wide .xlsx) and ``<out>/reference/*.csv`` with the seeds' columns.
Same arguments give byte-identical files.

Values are modelled, not drawn independently: ``ytd`` series grow month by
month and reset in January, ``stock`` series drift, rates stay in plausible
ranges, and an additive region whose children are all present is the exact sum
of them. One warm-up year before ``start`` is generated internally so that
``yoy_pct`` and annual targets are consistent with the previous year.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import re
import shutil
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from ingestion.xlsx_parts import MAX_ROWS

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
REFERENCE_FILES = ("regions", "indicators", "departments", "units")
LONG_HEADER = (
    "报送单位",
    "统计期",
    "地区",
    "指标名称",
    "数值",
    "单位",
    "同比增长(%)",
    "全省排名",
    "片区排名",
    "年度目标",
    "备注",
)
ROOT_CODE = "430000"
CITY_CODE = "430500"
SUBREGION = "大湘西片区"

# Per-department file styles (department_code); unknown departments fall back to UTF-8 CSV.
XLSX_LONG = frozenset({"gxj", "kjj", "sthjj"})
GB18030 = frozenset({"swj", "gaj", "jtysj", "kx"})
UTF8_BOM = frozenset({"scjgj", "zjj", "wjw"})
THOUSANDS = frozenset({"swj", "fgw", "czj", "hg"})
YOY_PERCENT_SIGN = frozenset({"swj", "hg", "wjw"})
REGION_AS_CODE = frozenset({"yjglj", "jrjg"})
LAGGED = frozenset({"tjj", "fgw", "gxj", "swj", "hg", "wlgtj", "sthjj", "jtysj", "jrjg"})
RANK_STYLES = ("{}", "第{}", "第{}名")
WIDE_SENDER = "tjj"

INT_UNITS = frozenset({"户", "家", "个", "项", "件", "人", "起", "处", "笔"})
# Typical county-level magnitude (annual total for ytd, level for stock) in each unit.
UNIT_MAGNITUDE = {
    "元": 3e9,
    "万元": 3e5,
    "亿元": 30.0,
    "美元": 3e7,
    "万美元": 800.0,
    "亿美元": 0.3,
    "户": 300.0,
    "万户": 2.0,
    "家": 150.0,
    "万家": 0.5,
    "个": 40.0,
    "项": 40.0,
    "件": 200.0,
    "万件": 1.0,
    "人": 400.0,
    "万人": 300.0,
    "起": 30.0,
    "处": 300.0,
    "笔": 3000.0,
    "万笔": 1.0,
}
SYNTH_ADDITIVE_UNITS = (
    "亿元",
    "万元",
    "个",
    "家",
    "亿美元",
    "人",
    "件",
    "万户",
    "户",
    "万美元",
    "起",
    "万人",
    "处",
    "笔",
    "项",
)
SYNTH_BASIS = ("ytd", "ytd", "stock", "rate", "ytd", "rate", "stock", "ytd")
SMALLER_UNIT = {"亿元": ("万元", 10000), "亿美元": ("万美元", 10000)}
SEASON = np.array([0.55, 0.65, 1.0, 0.95, 1.0, 1.1, 0.95, 0.95, 1.05, 1.05, 1.1, 1.65])
COUNTIES_PER_PREFECTURE = 9


@dataclass(frozen=True)
class SynthSummary:
    """What one ``generate()`` call wrote."""

    months: tuple[str, ...]
    files: int
    observations: int
    out: Path
    regions: int
    indicators: int


@dataclass(frozen=True)
class _Indicator:
    pos: int
    row: dict[str, str]

    @property
    def name(self) -> str:
        return self.row["indicator_name"]

    @property
    def basis(self) -> str:
        return self.row["basis"]

    @property
    def unit(self) -> str:
        return self.row["unit"]


@dataclass
class _Regions:
    """Reported regions in output order, with the hierarchy used for sums."""

    rows: list[dict[str, str]]
    catalog: list[dict[str, str]]
    parent_pos: np.ndarray
    depth: np.ndarray
    is_aggregate: np.ndarray
    size: np.ndarray
    weight: np.ndarray
    sum_steps: list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class _Block:
    """One indicator's observations for one reference period, ready for a sink."""

    department: str
    period: str
    regions: Sequence[str]
    indicator: str
    unit: str
    ticks: np.ndarray
    scale: int
    yoy: np.ndarray | None
    rank_province: np.ndarray | None
    rank_subregion: np.ndarray | None
    target: np.ndarray | None


# ---------------------------------------------------------------- reference data


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Read a UTF-8 reference CSV into its header and rows."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[dict[str, str]]) -> None:
    """Write rows with exactly ``header`` as columns (UTF-8, LF)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _synthetic_region_rows(real: list[dict[str, str]], extra: int) -> list[dict[str, str]]:
    """Counties under the real prefectures first (Hunan shape), then new prefectures with counties."""
    rows: list[dict[str, str]] = []
    county_no = 0

    def county(parent: str, suffix: int) -> dict[str, str]:
        nonlocal county_no
        county_no += 1
        name = f"合成县{county_no:05d}"
        code = f"{parent[:4]}{suffix:02d}"
        return {
            "region_code": code,
            "region_name": name,
            "short_name": name,
            "level": "county",
            "parent_code": parent,
            "subregion": "",
            "aliases": "",
        }

    bare = [r["region_code"] for r in real if r["level"] == "prefecture" and r["region_code"] != CITY_CODE]
    take = min(extra, COUNTIES_PER_PREFECTURE * len(bare))
    filled = max(1, min(len(bare), take // 2))  # no prefecture with a single county when avoidable
    for i, parent in enumerate(bare[:filled]):
        for k in range(take // filled + (i < take % filled)):
            rows.append(county(parent, 51 + k))
    extra -= take
    code = 440000
    pref_no = 0
    while extra > 0:
        code += 100
        if code % 10000 == 0:
            code += 100
        if code > 999900:
            raise ValueError("too many synthetic regions for 6-digit codes")
        pref_no += 1
        name = f"合成市{pref_no:03d}"
        rows.append(
            {
                "region_code": str(code),
                "region_name": name,
                "short_name": name,
                "level": "prefecture",
                "parent_code": ROOT_CODE,
                "subregion": "",
                "aliases": "",
            }
        )
        extra -= 1
        for k in range(min(extra, COUNTIES_PER_PREFECTURE)):
            rows.append(county(str(code), 1 + k))
        extra -= min(extra, COUNTIES_PER_PREFECTURE)
    return rows


def _build_regions(real: list[dict[str, str]], n: int, seed: int) -> _Regions:
    """Select ``n`` reported regions and derive the additive hierarchy."""
    if n <= len(real):
        by_code = {r["region_code"]: r for r in real}
        counties = [r["region_code"] for r in real if r["parent_code"] == CITY_CODE]
        others = [
            r["region_code"] for r in real if r["level"] == "prefecture" and r["region_code"] != CITY_CODE
        ]
        priority = [CITY_CODE, *counties, ROOT_CODE, *others]
        chosen = set(priority[:n]) & set(by_code)
        world = list(real)
        rows = [r for r in real if r["region_code"] in chosen]
    else:
        world = real + _synthetic_region_rows(real, n - len(real))
        rows = world
    reported = {r["region_code"] for r in rows}
    catalog = [r for r in world if r["region_code"] in reported or r["region_code"] == ROOT_CODE]

    pos = {r["region_code"]: i for i, r in enumerate(rows)}
    children: dict[str, list[str]] = {}
    for r in world:
        if r["parent_code"]:
            children.setdefault(r["parent_code"], []).append(r["region_code"])
    depth_of = {"province": 0, "prefecture": 1, "county": 2}
    depth = np.array([depth_of.get(r["level"], 2) for r in rows], dtype=np.int8)
    parent_pos = np.array([pos.get(r["parent_code"], -1) for r in rows], dtype=np.int64)
    is_agg = np.array(
        [
            bool(children.get(r["region_code"])) and all(c in pos for c in children[r["region_code"]])
            for r in rows
        ]
    )
    steps = []
    for d in (2, 1):
        kids = np.flatnonzero((depth == d) & (parent_pos >= 0))
        kids = kids[is_agg[parent_pos[kids]]]
        if kids.size:
            steps.append((kids, parent_pos[kids]))
    rng = np.random.default_rng([seed, 1])
    size = rng.lognormal(0.0, 0.5, len(rows)) * np.array([126.0, 9.0, 1.0])[depth]
    weight = np.where(is_agg, 0.0, size)
    for kids, parents in steps:
        np.add.at(weight, parents, weight[kids])
    return _Regions(rows, catalog, parent_pos, depth, is_agg, size, weight, steps)


def _build_indicators(
    real: list[dict[str, str]], departments: list[dict[str, str]], units: set[str], m: int
) -> list[_Indicator]:
    """First ``m`` catalog indicators, then ``synth_0001``... spread over the departments."""
    rows = list(real[:m])
    additive = [u for u in SYNTH_ADDITIVE_UNITS if u in units]
    for k in range(1, m - len(rows) + 1):
        dept = departments[(k - 1) % len(departments)]
        basis = SYNTH_BASIS[k % len(SYNTH_BASIS)]
        if basis == "rate":
            unit = "百分点" if k % 11 == 0 and "百分点" in units else "%"
        else:
            unit = additive[k % len(additive)]
        actions = dept["actions"].split("|")
        rows.append(
            {
                "indicator_code": f"synth_{k:04d}",
                "indicator_name": f"合成指标{k:04d}",
                "aliases": "",
                "action": actions[k % len(actions)],
                "department": dept["department_name"],
                "unit": unit,
                "basis": basis,
                "direction": "down" if k % 9 == 0 else "up",
                "description": f"合成指标（{basis}），仅用于规模与性能测试",
                "allow_negative": str(basis == "rate").lower(),
                "seed_section": "",
            }
        )
    return [_Indicator(i, r) for i, r in enumerate(rows)]


# ---------------------------------------------------------------- value model


def _decimals_scale(unit: str) -> int:
    """Ticks per unit: values are kept as exact integers (1 or 0.01 of the unit)."""
    return 1 if unit in INT_UNITS else 100


def _rate_kind(ind: _Indicator) -> str:
    """Which plausible range a rate indicator lives in."""
    unit = ind.unit
    if unit == "百分点":
        return "pp"
    if unit == "无量纲":
        return "index"
    if unit == "微克/立方米":
        return "concentration"
    if unit == "%" and ind.row.get("allow_negative") == "false":
        return "share"
    return "growth"


def _series(ind: _Indicator, regions: _Regions, seed: int, years: int) -> tuple[np.ndarray, int]:
    """Monthly ticks (regions × years·12) of one indicator from January of the first internal year."""
    rng = np.random.default_rng([seed, 2, ind.pos])
    n = len(regions.rows)
    t = years * 12
    month = np.tile(np.arange(1, 13), years)
    if ind.basis == "rate":
        kind = _rate_kind(ind)
        if kind == "growth":
            mu = np.repeat(rng.normal(6.0, 5.0, (n, years)), 12, axis=1)
            vals = np.clip(mu + rng.normal(0.0, 4.0, (n, t)) / np.sqrt(month), -20.0, 30.0)
        elif kind == "share":
            walk = np.cumsum(rng.normal(0.0, 0.4, (n, t)), axis=1)
            vals = np.clip(rng.uniform(10.0, 90.0, (n, 1)) + walk, 0.5, 99.5)
        elif kind == "pp":
            vals = np.clip(rng.normal(0.1, 0.3, (n, t)), -2.0, 2.0)
        elif kind == "index":
            vals = np.clip(rng.uniform(2.5, 4.5, (n, 1)) + rng.normal(0.0, 0.15, (n, t)), 1.0, 9.0)
        else:
            wave = 1.0 + 0.15 * np.cos(2 * np.pi * (month - 1) / 12)
            vals = np.clip(rng.uniform(25.0, 50.0, (n, 1)) * wave + rng.normal(0.0, 2.0, (n, t)), 5.0, None)
        for kids, parents in regions.sum_steps:  # an aggregate's rate is its children's weighted mean
            num = np.zeros_like(vals)
            den = np.zeros(n)
            np.add.at(num, parents, vals[kids] * regions.weight[kids, None])
            np.add.at(den, parents, regions.weight[kids])
            agg = np.unique(parents)
            vals[agg] = num[agg] / den[agg, None]
        return np.rint(vals * 100).astype(np.int64), 100

    scale = _decimals_scale(ind.unit)
    base = UNIT_MAGNITUDE.get(ind.unit, 100.0) * rng.lognormal(0.0, 0.8)
    leaves = np.flatnonzero(~regions.is_aggregate)
    level = base * regions.size[leaves][:, None]
    full = np.zeros((n, t), dtype=np.int64)
    if ind.basis == "stock":
        steps = rng.normal(0.005, 0.012, (leaves.size, t))
        steps[:, 0] = 0.0
        full[leaves] = np.rint(level * np.exp(np.cumsum(steps, axis=1)) * scale).astype(np.int64)
    else:
        growth = np.cumprod(np.clip(1.0 + rng.normal(0.06, 0.06, (leaves.size, years)), 0.75, 1.4), axis=1)
        profile = SEASON ** rng.uniform(0.3, 1.0)
        profile = np.tile(profile / profile.sum(), years)
        parts = level * np.repeat(growth, 12, axis=1) * profile * rng.lognormal(0.0, 0.1, (leaves.size, t))
        ticks = np.maximum(np.rint(parts * scale), 1).astype(np.int64).reshape(leaves.size, years, 12)
        full[leaves] = np.cumsum(ticks, axis=2).reshape(leaves.size, t)
    for kids, parents in regions.sum_steps:
        np.add.at(full, parents, full[kids])
    return full, scale


def _ranks(values: np.ndarray, members: np.ndarray, descending: bool) -> np.ndarray:
    """1-based rank of each member's value (0 for non-members); ties by position."""
    out = np.zeros(values.size, dtype=np.int64)
    if members.size < 2:
        return out
    key = -values[members] if descending else values[members]
    order = np.argsort(key, kind="stable")
    out[members[order]] = np.arange(1, members.size + 1)
    return out


# ---------------------------------------------------------------- periods


def _ym(index: int) -> tuple[int, int]:
    """(year, month) of a month index ``year*12 + month-1``."""
    return index // 12, index % 12 + 1


def _ytd_label(year: int, month: int) -> str:
    return f"{year}年1月" if month == 1 else f"{year}年1-{month}月"


def _period_label(basis: str, year: int, month: int, single_month: bool) -> str:
    """The 统计期 text a department writes for ``basis`` at (year, month)."""
    if basis == "stock":
        return f"截至{year}年{month}月{calendar.monthrange(year, month)[1]}日"
    if basis == "rate" and single_month:
        return f"{year}年{month}月"
    return _ytd_label(year, month)


# ---------------------------------------------------------------- sinks


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose members all carry one fixed timestamp and mode (reproducible archives)."""

    def __init__(self, path: Path, stamp: dt.datetime) -> None:
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._stamp = (stamp.year, stamp.month, stamp.day, 0, 0, 0)

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def]
        name = (
            zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        )
        super().writestr(self._info(name), data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def]
        src = Path(filename)
        with src.open("rb") as fh, self.open(self._info(arcname or src.name), "w", force_zip64=True) as dst:
            shutil.copyfileobj(fh, dst, 1 << 20)


def _save_workbook(wb: object, path: Path, stamp: dt.datetime) -> None:
    """Save an openpyxl workbook reproducibly: fixed core-property dates and zip timestamps."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = stamp  # type: ignore[attr-defined]
    wb.properties.modified = stamp  # type: ignore[attr-defined]
    ExcelWriter(wb, _FixedTimeZip(path, stamp)).save()


class _CsvSink:
    """Long layout CSV with the department's encoding and number habits, CRLF line endings."""

    def __init__(self, path: Path, code: str, style: int) -> None:
        encoding = "gb18030" if code in GB18030 else "utf-8-sig" if code in UTF8_BOM else "utf-8"
        self._fh = path.open("w", encoding=encoding, newline="")
        self._writer = csv.writer(self._fh, lineterminator="\r\n")
        self._writer.writerow(LONG_HEADER)
        self._thousands = code in THOUSANDS
        self._pct = "%" if code in YOY_PERCENT_SIGN else ""
        self._rank = RANK_STYLES[style % len(RANK_STYLES)]

    def _numbers(self, ticks: np.ndarray, scale: int) -> list[str]:
        fmt = "{:,}" if self._thousands else "{}"
        if scale == 1:
            return [fmt.format(v) for v in ticks.tolist()]
        fmt = "{:,.2f}" if self._thousands else "{:.2f}"
        return [fmt.format(v) for v in (ticks / scale).tolist()]

    def _rank_texts(self, ranks: np.ndarray | None, n: int) -> Iterator[str] | list[str]:
        if ranks is None:
            return repeat("", n)
        return [self._rank.format(r) if r else "" for r in ranks.tolist()]

    def add(self, b: _Block) -> None:
        n = len(b.regions)
        yoy: Iterator[str] | list[str] = repeat("", n)
        if b.yoy is not None:
            yoy = ["" if np.isnan(v) else f"{v:.1f}{self._pct}" for v in b.yoy.tolist()]
        target: Iterator[str] | list[str] = repeat("", n)
        if b.target is not None:
            target = self._numbers(b.target, b.scale)
        self._writer.writerows(
            zip(
                repeat(b.department, n),
                repeat(b.period, n),
                b.regions,
                repeat(b.indicator, n),
                self._numbers(b.ticks, b.scale),
                repeat(b.unit, n),
                yoy,
                self._rank_texts(b.rank_province, n),
                self._rank_texts(b.rank_subregion, n),
                target,
                repeat("", n),
                strict=True,
            )
        )

    def close(self) -> None:
        self._fh.close()


class _XlsxSink:
    """Long layout .xlsx written in openpyxl's write-only (streaming) mode."""

    def __init__(self, path: Path, stamp: dt.datetime) -> None:
        from openpyxl import Workbook

        self._path, self._stamp = path, stamp
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet("报表")
        self._ws.append(LONG_HEADER)

    def add(self, b: _Block) -> None:
        n = len(b.regions)
        values = b.ticks.tolist() if b.scale == 1 else (b.ticks / b.scale).tolist()
        optional: list[Iterable[object] | None] = [None, None, None, None]
        if b.yoy is not None:
            optional[0] = [None if v != v else v for v in b.yoy.tolist()]
        if b.rank_province is not None:
            optional[1] = [r or None for r in b.rank_province.tolist()]
        if b.rank_subregion is not None:
            optional[2] = [r or None for r in b.rank_subregion.tolist()]
        if b.target is not None:
            optional[3] = b.target.tolist() if b.scale == 1 else (b.target / b.scale).tolist()
        # Trailing empty cells are not written anyway; leaving them out of the rows only saves time.
        used = max((k + 1 for k, col in enumerate(optional) if col is not None), default=0)
        columns = [repeat(b.department, n), repeat(b.period, n), b.regions, repeat(b.indicator, n), values]
        columns += [repeat(b.unit, n), *(repeat(None, n) if col is None else col for col in optional[:used])]
        append = self._ws.append
        for row in zip(*columns, strict=True):
            append(row)

    def close(self) -> None:
        _save_workbook(self._wb, self._path, self._stamp)


# A department's month larger than this goes out in several files, as a real export of a very large
# table would: ingestion refuses a file of more than MAX_ROWS rows.
MAX_ROWS_PER_FILE = MAX_ROWS // 2


def _part_mark(part: int) -> str:
    return "" if part == 1 else f"_第{part}部分"


class _PartedSink:
    """Blocks go to part 1, then to a new part whenever the next block would pass MAX_ROWS_PER_FILE."""

    def __init__(self, open_part: Callable[[int], _CsvSink | _XlsxSink]) -> None:
        self._open_part = open_part
        self.parts, self._rows = 1, 0
        self._sink = open_part(1)

    def add(self, b: _Block) -> None:
        if self._rows and self._rows + len(b.regions) > MAX_ROWS_PER_FILE:
            self._sink.close()
            self.parts, self._rows = self.parts + 1, 0
            self._sink = self._open_part(self.parts)
        self._sink.add(b)
        self._rows += len(b.regions)

    def close(self) -> None:
        self._sink.close()


def _write_wide(
    path: Path,
    title: str,
    regions: Sequence[str],
    columns: list[tuple[str, np.ndarray, int]],
    stamp: dt.datetime,
) -> None:
    """The statistics bureau's county table: title row, header row, one row per region, footnotes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append([f"{title}各县市区主要经济指标"])
    ws.append(["地区", *(header for header, _, _ in columns)])
    cols = [ticks.tolist() if scale == 1 else (ticks / scale).tolist() for _, ticks, scale in columns]
    for i, region in enumerate(regions):
        ws.append([region, *(col[i] for col in cols)])
    ws.append([f"注：1.本表为合成快报数据；累计值与增速均为{title}累计数。"])
    ws.append(["注：2.全市数据为所辖县市区之和；增速按现价计算。"])
    _save_workbook(wb, path, stamp)


# ---------------------------------------------------------------- generation


def _month_index(text: str) -> int:
    """``YYYY-MM`` → month index."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"start must look like YYYY-MM, got {text!r}")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


@dataclass(frozen=True)
class _Context:
    """What every department's files share within one ``generate()`` call."""

    out: Path
    seed: int
    regions: _Regions
    report_months: list[int]
    begin_year: int
    years: int
    with_target: frozenset[int]


def _write_department(
    ctx: _Context, dept: str, code: str, style: int, lag: int, own: list[_Indicator]
) -> tuple[int, int]:
    """Write one department's files for every report month; return (files, observations)."""
    regs = ctx.regions
    wide: set[int] = set()
    if code == WIDE_SENDER:
        wide = set([i.pos for i in own if i.basis in ("ytd", "rate")][::2])
    region_labels = [r["region_code" if code in REGION_AS_CODE else "region_name"] for r in regs.rows]
    prefectures = np.flatnonzero(regs.depth == 1)
    subregion = np.flatnonzero(np.array([r["subregion"] == SUBREGION for r in regs.rows]))
    files = observations = 0
    sinks: dict[int, _PartedSink] = {}
    wide_cols: dict[int, list[tuple[str, np.ndarray, int]]] = {r: [] for r in ctx.report_months}
    for r in ctx.report_months:
        y, m = _ym(r)
        if len(wide) == len(own):
            break
        folder = ctx.out / f"{y}-{m:02d}"
        if code in XLSX_LONG:
            sinks[r] = _PartedSink(lambda part, folder=folder, y=y, m=m: _XlsxSink(
                folder / f"{dept}_{y}年{m}月报表{_part_mark(part)}.xlsx", dt.datetime(y, m, 1)))
        else:
            sinks[r] = _PartedSink(lambda part, folder=folder, y=y, m=m: _CsvSink(
                folder / f"{dept}_{y}年{m}月{_part_mark(part)}.csv", code, style))

    for ind in own:
        full, scale = _series(ind, regs, ctx.seed, ctx.years)
        unit, factor = ind.unit, 1
        if ind.pos % 4 == 1 and ind.unit in SMALLER_UNIT:  # some money sent in 万元 instead of 亿元
            unit, factor = SMALLER_UNIT[ind.unit]
        aliases = [a for a in ind.row.get("aliases", "").split("|") if a]
        shown = aliases[0] if aliases and ind.pos % 10 == 7 else ind.name
        higher_is_better = ind.row.get("direction") != "down"
        ranked = ind.pos % 3 == 0
        for r in ctx.report_months:
            py, pm = _ym(r - lag)
            col = r - lag - ctx.begin_year * 12
            ticks = full[:, col]
            out_ticks, out_scale = (ticks * factor // scale, 1) if factor > 1 else (ticks, scale)
            observations += ticks.size
            if ind.pos in wide:
                wide_cols[r].append((f"{ind.name}({unit})", out_ticks, out_scale))
                continue
            yoy = None
            if ind.basis != "rate" and ind.pos % 2 == 0:
                prev = full[:, col - 12].astype(np.float64)
                with np.errstate(divide="ignore", invalid="ignore"):
                    yoy = np.round((ticks / prev - 1.0) * 100.0, 1)
                yoy[prev <= 0] = np.nan
            target = None
            if ind.pos in ctx.with_target:  # last December's value plus 5-15 %
                bump = 1.05 + 0.1 * ((ind.pos * 7 + py) % 11) / 10
                target = np.rint(full[:, (py - ctx.begin_year) * 12 - 1] * bump).astype(np.int64)
                if factor > 1:
                    target = target * factor // scale
            sinks[r].add(
                _Block(
                    department=dept,
                    period=_period_label(ind.basis, py, pm, single_month=ind.pos % 2 == 1),
                    regions=region_labels,
                    indicator=shown,
                    unit=unit,
                    ticks=out_ticks,
                    scale=out_scale,
                    yoy=yoy,
                    rank_province=_ranks(ticks, prefectures, higher_is_better) if ranked else None,
                    rank_subregion=_ranks(ticks, subregion, higher_is_better) if ranked else None,
                    target=target,
                )
            )
    for sink in sinks.values():
        sink.close()
        files += sink.parts

    wide_names = [
        r["short_name"]
        if r["short_name"].endswith(("县", "州")) and r["short_name"] != r["region_name"]
        else r["region_name"]
        for r in regs.rows
    ]
    for r, cols in wide_cols.items():
        if cols:
            y, m = _ym(r)
            title = _ytd_label(*_ym(r - lag))
            path = ctx.out / f"{y}-{m:02d}" / f"{dept}_{title}各县市区主要经济指标.xlsx"
            _write_wide(path, title, wide_names, cols, dt.datetime(y, m, 1))
            files += 1
    return files, observations


def generate(
    out: Path,
    regions: int,
    indicators: int,
    months: int,
    seed: int,
    start: str = "2024-01",
    *,
    reference: Path | None = None,
    overwrite: bool = False,
) -> SynthSummary:
    """Write ``months`` synthetic inboxes from ``start`` and a reference catalog under ``out``."""
    if regions < 1 or indicators < 1 or months < 1:
        raise ValueError("regions, indicators and months must be at least 1")
    if seed < 0:
        raise ValueError("seed must be non-negative")
    first = _month_index(start)
    out = Path(out)
    ref_dir = Path(reference) if reference else SEEDS_DIR
    report_months = [first + k for k in range(months)]
    labels = tuple("{}-{:02d}".format(*_ym(r)) for r in report_months)
    for label in (*labels, "reference"):
        target = out / label
        if target.exists() and any(target.iterdir()):
            if not overwrite:
                raise FileExistsError(f"{target} is not empty (use overwrite)")
            shutil.rmtree(target)

    headers, tables = {}, {}
    for name in REFERENCE_FILES:
        headers[name], tables[name] = _read_csv(ref_dir / f"{name}.csv")
    departments = tables["departments"]
    regs = _build_regions(tables["regions"], regions, seed)
    inds = _build_indicators(
        tables["indicators"], departments, {u["unit"] for u in tables["units"]}, indicators
    )

    (out / "reference").mkdir(parents=True, exist_ok=True)
    _write_csv(out / "reference" / "regions.csv", headers["regions"], regs.catalog)
    _write_csv(out / "reference" / "indicators.csv", headers["indicators"], [i.row for i in inds])
    _write_csv(out / "reference" / "departments.csv", headers["departments"], departments)
    _write_csv(out / "reference" / "units.csv", headers["units"], tables["units"])

    begin_year = (first - 1 - 12) // 12  # one warm-up year before the earliest reference period
    ytd = [i.pos for i in inds if i.basis == "ytd"]
    ctx = _Context(
        out=out,
        seed=seed,
        regions=regs,
        report_months=report_months,
        begin_year=begin_year,
        years=_ym(report_months[-1])[0] - begin_year + 1,
        with_target=frozenset(ytd[::5]),
    )
    for label in labels:
        (out / label).mkdir(parents=True, exist_ok=True)

    files = observations = 0
    dept_codes = {d["department_name"]: d["department_code"] for d in departments}
    used = {i.row["department"] for i in inds}
    ordered = [d for d in dept_codes if d in used] + sorted(used - set(dept_codes))
    for style, dept in enumerate(ordered):
        own = [i for i in inds if i.row["department"] == dept]
        code = dept_codes.get(dept, "")
        lag = int(code in LAGGED) if code else style % 2
        written, counted = _write_department(ctx, dept, code, style, lag, own)
        files += written
        observations += counted
    return SynthSummary(labels, files, observations, out, len(regs.rows), len(inds))


def main(argv: list[str] | None = None) -> int:
    """``yuebao synth``: write synthetic inboxes; exit 0 on success, 2 on bad arguments."""
    parser = argparse.ArgumentParser(
        prog="yuebao synth", description="Write deterministic synthetic monthly inboxes."
    )
    parser.add_argument(
        "--regions", type=int, required=True, help="number of reporting regions (13 = 邵阳市 + counties)"
    )
    parser.add_argument(
        "--indicators", type=int, required=True, help="number of indicators (<=104: real catalog)"
    )
    parser.add_argument("--months", type=int, required=True, help="number of consecutive report months")
    parser.add_argument(
        "--out", type=Path, required=True, help="output directory: <out>/<YYYY-MM>/, <out>/reference/"
    )
    parser.add_argument("--seed", type=int, required=True, help="random seed (same seed, same bytes)")
    parser.add_argument("--start", default="2024-01", help="first report month, YYYY-MM (default 2024-01)")
    parser.add_argument("--force", action="store_true", help="replace existing month directories")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    try:
        summary = generate(
            args.out, args.regions, args.indicators, args.months, args.seed, args.start, overwrite=args.force
        )
    except (ValueError, FileExistsError) as exc:
        print(f"yuebao synth: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {summary.files} files, {summary.observations} observations "
        f"({summary.regions} regions × {summary.indicators} indicators × {len(summary.months)} months) "
        f"to {summary.out} in {time.perf_counter() - began:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
