"""Generating the inbox: every department's files for every report month, and the catalog."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingestion.report_month import ReportMonth
from synth.catalog import (
    REFERENCE_FILES,
    SEEDS_DIR,
    SUBREGION,
    Indicator,
    RegionHierarchy,
    build_indicators,
    build_regions,
    read_csv,
    write_csv,
)
from synth.periods import period_label, ytd_label
from synth.series import monthly_series, ranks
from synth.writers import XLSX_LONG, Block, CsvFile, PartedFile, XlsxFile, part_mark, write_wide

# What departments (department_code) send, beyond the file habits in writers.
REGION_AS_CODE = frozenset({"yjglj", "jrjg"})  # regions by code, not name
LAGGED = frozenset({"tjj", "fgw", "gxj", "swj", "hg", "wlgtj", "sthjj", "jtysj", "jrjg"})  # last month's data
WIDE_SENDER = "tjj"  # the statistics bureau: half its ytd and rate indicators in the wide county table
SMALLER_UNIT = {"亿元": ("万元", 10000), "亿美元": ("万美元", 10000)}  # some money sent in 万元, not 亿元


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
class _Generation:
    """What every department's files share within one ``generate()`` call."""

    out: Path
    seed: int
    regions: RegionHierarchy
    report_months: list[ReportMonth]
    first_year: int  # the series start in January of this year (a warm-up year before the first period)
    years: int
    with_target: frozenset[int]  # positions of the indicators sent with an annual target

    def column(self, period: ReportMonth) -> int:
        """The series column of ``period``."""
        return period.index - self.first_year * 12


def _write_department(generation: _Generation, department: str, code: str, style: int, lag: int,
                      own: list[Indicator]) -> tuple[int, int]:
    """Write one department's files for every report month; return (files, observations)."""
    regions = generation.regions
    wide: set[int] = set()
    if code == WIDE_SENDER:
        wide = set([indicator.position for indicator in own if indicator.basis in ("ytd", "rate")][::2])
    region_labels = [row["region_code" if code in REGION_AS_CODE else "region_name"] for row in regions.rows]
    prefectures = np.flatnonzero(regions.depth == 1)
    subregion = np.flatnonzero(np.array([row["subregion"] == SUBREGION for row in regions.rows]))
    files = observations = 0
    long_files: dict[ReportMonth, PartedFile] = {}
    wide_columns: dict[ReportMonth, list[tuple[str, np.ndarray, int]]] = {
        month: [] for month in generation.report_months}
    for month in generation.report_months:
        if len(wide) == len(own):
            break
        folder = generation.out / str(month)
        stem = f"{department}_{month.year}年{month.month}月"
        if code in XLSX_LONG:
            long_files[month] = PartedFile(lambda part, stem=stem, folder=folder, month=month: XlsxFile(
                folder / f"{stem}报表{part_mark(part)}.xlsx", dt.datetime(month.year, month.month, 1)))
        else:
            long_files[month] = PartedFile(lambda part, stem=stem, folder=folder: CsvFile(
                folder / f"{stem}{part_mark(part)}.csv", code, style))

    for indicator in own:
        series, scale = monthly_series(indicator, regions, generation.seed, generation.years)
        unit, factor = indicator.unit, 1
        if indicator.position % 4 == 1 and indicator.unit in SMALLER_UNIT:
            unit, factor = SMALLER_UNIT[indicator.unit]
        aliases = [alias for alias in indicator.row.get("aliases", "").split("|") if alias]
        shown = aliases[0] if aliases and indicator.position % 10 == 7 else indicator.name
        higher_is_better = indicator.row.get("direction") != "down"
        ranked = indicator.position % 3 == 0
        for month in generation.report_months:
            period = month.shift(-lag)
            column = generation.column(period)
            ticks = series[:, column]
            sent_ticks, sent_scale = (ticks * factor // scale, 1) if factor > 1 else (ticks, scale)
            observations += ticks.size
            if indicator.position in wide:
                wide_columns[month].append((f"{indicator.name}({unit})", sent_ticks, sent_scale))
                continue
            yoy = None
            if indicator.basis != "rate" and indicator.position % 2 == 0:
                year_before = series[:, column - 12].astype(np.float64)
                with np.errstate(divide="ignore", invalid="ignore"):
                    yoy = np.round((ticks / year_before - 1.0) * 100.0, 1)
                yoy[year_before <= 0] = np.nan
            target = None
            if indicator.position in generation.with_target:  # last December's value plus 5-15 %
                bump = 1.05 + 0.1 * ((indicator.position * 7 + period.year) % 11) / 10
                last_december = (period.year - generation.first_year) * 12 - 1
                target = np.rint(series[:, last_december] * bump).astype(np.int64)
                if factor > 1:
                    target = target * factor // scale
            long_files[month].add(
                Block(
                    department=department,
                    period=period_label(indicator.basis, period, single_month=indicator.position % 2 == 1),
                    regions=region_labels,
                    indicator=shown,
                    unit=unit,
                    ticks=sent_ticks,
                    scale=sent_scale,
                    yoy=yoy,
                    rank_province=ranks(ticks, prefectures, higher_is_better) if ranked else None,
                    rank_subregion=ranks(ticks, subregion, higher_is_better) if ranked else None,
                    target=target,
                )
            )
    for parted in long_files.values():
        parted.close()
        files += parted.parts

    wide_names = [
        row["short_name"]
        if row["short_name"].endswith(("县", "州")) and row["short_name"] != row["region_name"]
        else row["region_name"]
        for row in regions.rows
    ]
    for month, columns in wide_columns.items():
        if columns:
            title = ytd_label(month.shift(-lag))
            path = generation.out / str(month) / f"{department}_{title}各县市区主要经济指标.xlsx"
            write_wide(path, title, wide_names, columns, dt.datetime(month.year, month.month, 1))
            files += 1
    return files, observations


def generate(out: Path, regions: int, indicators: int, months: int, seed: int, start: str = "2024-01", *,
             reference: Path | None = None, overwrite: bool = False) -> SynthSummary:
    """Write ``months`` synthetic inboxes from ``start`` and a reference catalog under ``out``."""
    if regions < 1 or indicators < 1 or months < 1:
        raise ValueError("regions, indicators and months must be at least 1")
    if seed < 0:
        raise ValueError("seed must be non-negative")
    first = ReportMonth.parse(start)
    out = Path(out)
    reference_dir = Path(reference) if reference else SEEDS_DIR
    report_months = list(first.months(months))
    labels = tuple(str(month) for month in report_months)
    for label in (*labels, "reference"):
        folder = out / label
        if folder.exists() and any(folder.iterdir()):
            if not overwrite:
                raise FileExistsError(f"{folder} is not empty (use overwrite)")
            shutil.rmtree(folder)

    headers, tables = {}, {}
    for name in REFERENCE_FILES:
        headers[name], tables[name] = read_csv(reference_dir / f"{name}.csv")
    departments = tables["departments"]
    hierarchy = build_regions(tables["regions"], regions, seed)
    catalog = build_indicators(tables["indicators"], departments, {row["unit"] for row in tables["units"]},
                               indicators)

    (out / "reference").mkdir(parents=True, exist_ok=True)
    write_csv(out / "reference" / "regions.csv", headers["regions"], hierarchy.catalog)
    write_csv(out / "reference" / "indicators.csv", headers["indicators"], [i.row for i in catalog])
    write_csv(out / "reference" / "departments.csv", headers["departments"], departments)
    write_csv(out / "reference" / "units.csv", headers["units"], tables["units"])

    first_year = (first.index - 1 - 12) // 12  # a warm-up year before the earliest reference period
    ytd = [indicator.position for indicator in catalog if indicator.basis == "ytd"]
    generation = _Generation(
        out=out,
        seed=seed,
        regions=hierarchy,
        report_months=report_months,
        first_year=first_year,
        years=report_months[-1].year - first_year + 1,
        with_target=frozenset(ytd[::5]),
    )
    for label in labels:
        (out / label).mkdir(parents=True, exist_ok=True)

    files = observations = 0
    codes = {row["department_name"]: row["department_code"] for row in departments}
    used = {indicator.row["department"] for indicator in catalog}
    ordered = [name for name in codes if name in used] + sorted(used - set(codes))
    for style, department in enumerate(ordered):
        own = [indicator for indicator in catalog if indicator.row["department"] == department]
        code = codes.get(department, "")
        lag = int(code in LAGGED) if code else style % 2
        written, counted = _write_department(generation, department, code, style, lag, own)
        files += written
        observations += counted
    return SynthSummary(labels, files, observations, out, len(hierarchy.rows), len(catalog))
