"""Recognising the two layouts of the contract and reading observations out of a sheet.

Long layout: one observation a row under a header of known column names (Chinese or English).
Wide layout: a title with the period, a header ``地区 | 指标(单位) | …``, one row a region,
footnote rows starting with 注 / 备注. A two-row header whose upper cells are merged over several
columns (``社会消费品零售总额`` over ``总量(亿元) | 增速(%)``) names each column by both rows.
Merged cells anywhere give their value to every cell they cover, as a reader of the sheet sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from ingestion.issues import Issue
from ingestion.numbers import parse_number, parse_rank
from ingestion.periods import Period, PeriodError, parse_period, period_in_text, year_in_text
from ingestion.readers import CellRange, Sheet
from ingestion.text import cell_text, compact, name_text, normalize

# Header names (compact form) → field. Each new spelling a department uses is one line here.
LONG_COLUMNS: dict[str, str] = {
    **dict.fromkeys(["报送单位", "填报单位", "报送部门", "department"], "department"),
    **dict.fromkeys(["统计期", "统计时间", "统计期间", "时间", "period"], "period"),
    **dict.fromkeys(["地区", "县市区", "区域", "地区名称", "region"], "region"),
    **dict.fromkeys(["指标名称", "指标", "indicator"], "indicator"),
    **dict.fromkeys(["数值", "本期数", "数据", "value"], "value"),
    **dict.fromkeys(["单位", "计量单位", "unit"], "unit"),
    **dict.fromkeys(
        ["同比增长(%)", "同比增长", "同比(%)", "同比", "同比增速(%)", "同比增长率(%)", "yoy_pct"], "yoy_pct"
    ),
    **dict.fromkeys(["全省排名", "全省位次", "rank_province"], "rank_province"),
    **dict.fromkeys(["片区排名", "片区位次", "rank_subregion"], "rank_subregion"),
    **dict.fromkeys(["年度目标", "全年目标", "目标", "annual_target"], "annual_target"),
    **dict.fromkeys(["备注", "说明", "note"], "note"),
}
_FIELDS = tuple(dict.fromkeys(LONG_COLUMNS.values()))
REQUIRED_LONG = ("department", "period", "region", "indicator", "value", "unit")
WIDE_FIRST_COLUMN = {"地区", "县市区", "区域", "地区名称", "region"}
FOOTNOTE = re.compile(r"^(注|备注|说明|资料来源)")
_COLUMN_LETTERS = re.compile(r"^[A-Z]{1,3}$")
_INDICATOR_UNIT = re.compile(r"^(?P<name>.+?)\s*\((?P<unit>[^()]+)\)$")
HEADER_SCAN_ROWS = 15
# The lower cell of a two-row header: words that mean "the amount itself" or "its growth rate".
_AMOUNT_WORDS = {"总量", "总额", "绝对值", "数值", "金额", "本期数", "累计", "累计数", "本期", "本年累计", "规模"}
_GROWTH_WORDS = {"增速", "增长", "同比", "同比增长", "同比增速", "增幅", "增长率", "同比增长率"}


@dataclass
class Observation:
    source_sheet: str | None
    source_row: int
    department_raw: str | None
    period_raw: str | None
    period: date | None
    period_form: str | None
    region_raw: str | None
    indicator_raw: str | None
    value_raw: str | None
    value: float | None
    unit_raw: str | None
    yoy_pct: float | None = None
    rank_province: int | None = None
    rank_subregion: int | None = None
    annual_target: float | None = None
    note: str | None = None
    row_status: str = "ok"


@dataclass
class SheetResult:
    layout: str | None
    observations: list[Observation] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    department_hint: str | None = None
    rejected: bool = False  # the sheet holds data the file cannot be loaded without (e.g. a missing column)


def is_column_letter(text: str | None) -> bool:
    """Whether ``text`` names a spreadsheet column (A … XFD), as a finding's ``column`` may."""
    return bool(_COLUMN_LETTERS.match(text or ""))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _texts(row: list[object]) -> list[str | None]:
    # cell_text inlined for plain strings (every cell of a CSV): this runs once per cell of a month
    return [(cell.strip() or None) if type(cell) is str else cell_text(cell) for cell in row]


def find_long_header(rows: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    """Index of the header row and field → column index, if the sheet is in long layout."""
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping: dict[str, int] = {}
        for col, text in enumerate(_texts(row)):
            name = LONG_COLUMNS.get(compact(text)) if text else None
            if name and name not in mapping:
                mapping[name] = col
        if {"indicator", "value"} <= mapping.keys() and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
    return best


def fill_merged(rows: list[list[object]], merged: tuple[CellRange, ...]) -> list[list[object]]:
    """Rows where every cell of a merged range holds the range's value (clipped to the grid)."""
    if not merged:
        return rows
    filled = [list(row) for row in rows]
    for first_row, first_col, last_row, last_col in merged:
        if first_row >= len(filled) or first_col >= len(filled[first_row]):
            continue
        value = filled[first_row][first_col]
        for row in filled[first_row:last_row + 1]:
            for col in range(first_col, min(last_col + 1, len(row))):
                row[col] = value
    return filled


def compose_header(parent: str | None, child: str) -> str:
    """The indicator named by a two-row header: 社会消费品零售总额 + 增速 → 社会消费品零售总额增速."""
    if not parent or child.startswith(parent):
        return child
    if child in _AMOUNT_WORDS:
        return parent
    if child in _GROWTH_WORDS:
        return parent + "增速"
    return parent + child


def _group_names(rows: list[list[object]], merged: tuple[CellRange, ...], header_index: int) -> dict[int, str]:
    """Column → the text of a merged cell spanning several columns just above the header row."""
    groups: dict[int, str] = {}
    for first_row, first_col, last_row, last_col in merged:
        if last_row != header_index - 1 or first_col == 0 or last_col == first_col:
            continue
        text = cell_text(rows[first_row][first_col]) if first_col < len(rows[first_row]) else None
        for col in range(first_col, last_col + 1):
            if text:
                groups[col] = normalize(text)
    return groups


def find_wide_header(rows: list[list[object]], merged: tuple[CellRange, ...] = ()
                     ) -> tuple[int, dict[int, tuple[str, str]]] | None:
    """Index of the header row and column → (indicator, unit), if the sheet is in wide layout.

    Of the candidate rows (first cell 地区 …) the one naming the most ``indicator(unit)`` columns wins,
    so the lower row of a two-row header is chosen over its upper row.
    """
    best: tuple[int, dict[int, tuple[str, str]]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = _texts(row)
        if not texts or not texts[0] or compact(texts[0]) not in WIDE_FIRST_COLUMN:
            continue
        groups = _group_names(rows, merged, index)
        columns: dict[int, tuple[str, str]] = {}
        for col, text in enumerate(texts[1:], start=1):
            match = _INDICATOR_UNIT.match(normalize(text)) if text else None
            if match:
                name = compose_header(groups.get(col), match.group("name").strip())
                columns[col] = (name, match.group("unit").strip())
        if columns and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
    return best


class _RowReader:
    """Parses the cells of one row, turning each bad cell into an Issue."""

    def __init__(self, file_name: str, sheet: str | None, row_number: int, issues: list[Issue],
                 letters: dict[str, str] | None = None) -> None:
        self.file_name, self.sheet, self.row_number, self.issues = file_name, sheet, row_number, issues
        self.letters = letters or {}  # field → column letter: named only when a cell fails
        self.failed = False

    def fail(self, rule: str, column: str, raw: str | None, message: str) -> None:
        self.failed = True
        column = self.letters.get(column, column)
        self.issues.append(
            Issue(rule, "blocking", message, self.file_name, self.sheet, self.row_number, column, raw)
        )

    def number(self, raw: str | None, column: str, label: str) -> float | None:
        if raw is None:
            return None
        try:
            return parse_number(raw)
        except ValueError:
            self.fail("bad_number", column, raw, f"{label}“{raw}”不是数字")
            return None

    def rank(self, raw: str | None, column: str, label: str) -> int | None:
        if raw is None:
            return None
        try:
            return parse_rank(raw)
        except ValueError:
            self.fail("bad_rank", column, raw, f"{label}“{raw}”不是有效排名")
            return None

    def period(self, raw: str | None, column: str, default_year: int | None) -> Period | None:
        if raw is None:
            self.fail("missing_value", column, None, "统计期为空")
            return None
        try:
            return parse_period(raw, default_year)
        except PeriodError as exc:
            rule = "period_year_unknown" if exc.year_missing else "bad_period"
            self.fail(rule, column, raw, f"统计期“{raw}”无法识别")
            return None


def read_long(sheet: Sheet, header_index: int, mapping: dict[str, int], file_name: str,
              default_year: int | None) -> SheetResult:
    result = SheetResult("long")
    missing = [name for name in REQUIRED_LONG if name not in mapping]
    if missing:
        header = ", ".join(t for t in _texts(sheet.rows[header_index]) if t)
        result.issues.append(Issue(
            "missing_required_column", "blocking",
            f"缺少必填列：{'、'.join(missing)}（表头为：{header}）",
            file_name, sheet.name, header_index + 1, None, header,
        ))
        result.rejected = True
        return result
    letters = {name: column_letter(col) for name, col in mapping.items()}
    columns = [mapping.get(name) for name in _FIELDS]  # the sheet's column of each field, None if absent
    for index in range(header_index + 1, len(sheet.rows)):
        texts = _texts(sheet.rows[index])
        if not any(texts):
            continue
        if texts[0] and FOOTNOTE.match(normalize(texts[0])) and sum(t is not None for t in texts) == 1:
            continue
        width = len(texts)
        fields = [texts[c] if c is not None and c < width else None for c in columns]
        observation = _long_row(fields, letters, file_name, sheet.name, index + 1, default_year, result.issues)
        result.observations.append(observation)
    return result


def _long_row(fields: list[str | None], letters: dict[str, str], file_name: str, sheet: str | None,
              row_number: int, default_year: int | None, issues: list[Issue]) -> Observation:
    """One observation from a row's texts in ``_FIELDS`` order; a bad cell is an issue and quarantines it."""
    reader = _RowReader(file_name, sheet, row_number, issues, letters)
    department, period_raw, region, indicator, value, unit, yoy, rank_province, rank_subregion, target, note = fields
    for name, label, text in (("region", "地区", region), ("indicator", "指标名称", indicator),
                              ("value", "数值", value), ("unit", "单位", unit)):
        if text is None:
            reader.fail("missing_value", name, None, f"{label}为空")
    period = reader.period(period_raw, "period", default_year)
    observation = Observation(
        source_sheet=sheet,
        source_row=row_number,
        department_raw=department,
        period_raw=period_raw,
        period=period.month if period else None,
        period_form=period.form if period else None,
        region_raw=name_text(region),
        indicator_raw=name_text(indicator),
        value_raw=value,
        value=reader.number(value, "value", "数值"),
        unit_raw=normalize(unit) if unit else None,
        yoy_pct=reader.number(yoy, "yoy_pct", "同比增长"),
        rank_province=reader.rank(rank_province, "rank_province", "全省排名"),
        rank_subregion=reader.rank(rank_subregion, "rank_subregion", "片区排名"),
        annual_target=reader.number(target, "annual_target", "年度目标"),
        note=note,
    )
    if reader.failed:
        observation.row_status = "quarantined"
    return observation


def read_wide(sheet: Sheet, header_index: int, columns: dict[int, tuple[str, str]], file_name: str,
              folder_period: Period | None) -> SheetResult:
    result = SheetResult("wide")
    title = " ".join(dict.fromkeys(t for row in sheet.rows[:header_index] for t in _texts(row) if t))
    year = year_in_text(title) or year_in_text(file_name) or (folder_period.month.year if folder_period else None)
    period = period_in_text(title, year) or period_in_text(file_name, year) or folder_period
    if period is None:
        result.issues.append(Issue(
            "bad_period", "blocking", "宽表标题和文件名中都没有统计期（如 2024年1-9月）",
            file_name, sheet.name, 1, "A", title or None,
        ))
        return result
    period_raw = title or file_name
    _report_unlabelled_columns(sheet, header_index, columns, file_name, result.issues)
    indicator_keys = {col: name_text(indicator) for col, (indicator, _) in columns.items()}
    for index in range(header_index + 1, len(sheet.rows)):
        texts = _texts(sheet.rows[index])
        if not any(texts):
            continue
        first = texts[0]
        if first and FOOTNOTE.match(normalize(first)):
            match = re.search(r"报送单位[:：\s]*([^\s，,。;；]+)", normalize(first))
            if match:
                result.department_hint = match.group(1)
            continue
        region = name_text(first)
        for col, (indicator, unit) in columns.items():
            value_raw = texts[col] if col < len(texts) else None
            if value_raw is None:
                continue
            reader = _RowReader(file_name, sheet.name, index + 1, result.issues)
            if first is None:
                reader.fail("missing_value", "A", None, "地区为空")
            value = reader.number(value_raw, column_letter(col), f"{indicator}的数值")
            result.observations.append(Observation(
                source_sheet=sheet.name, source_row=index + 1, department_raw=None,
                period_raw=period_raw, period=period.month, period_form=period.form,
                region_raw=region, indicator_raw=indicator_keys[col], value_raw=value_raw, value=value,
                unit_raw=unit, row_status="quarantined" if reader.failed else "ok",
            ))
    return result


def _report_unlabelled_columns(sheet: Sheet, header_index: int, columns: dict[int, tuple[str, str]],
                               file_name: str, issues: list[Issue]) -> None:
    """A warning for each headed column with data whose header is not ``indicator(unit)``."""
    header = _texts(sheet.rows[header_index])
    for col, text in enumerate(header[1:], start=1):
        if text is None or col in columns:
            continue
        if any(col < len(row) and cell_text(row[col]) for row in sheet.rows[header_index + 1:]):
            issues.append(Issue("unlabelled_column", "warning", f"列“{text}”不是“指标(单位)”形式，未入库",
                                file_name, sheet.name, header_index + 1, column_letter(col), text))


def read_sheet(sheet: Sheet, file_name: str, folder_period: Period) -> SheetResult | None:
    """Observations of a sheet in either layout; None when the sheet holds neither."""
    merged = sheet.merged
    sheet = Sheet(sheet.name, fill_merged(sheet.rows, merged))
    title_text = " ".join(t for row in sheet.rows[:3] for t in _texts(row) if t)
    default_year = year_in_text(title_text) or year_in_text(file_name) or folder_period.month.year
    long_header = find_long_header(sheet.rows)
    if long_header:
        return read_long(sheet, *long_header, file_name, default_year)
    wide_header = find_wide_header(sheet.rows, merged)
    if wide_header:
        return read_wide(sheet, *wide_header, file_name, folder_period)
    return None


def iter_sheet_results(sheets: list[Sheet], file_name: str, folder_period: Period) -> Iterator[SheetResult]:
    for sheet in sheets:
        result = read_sheet(sheet, file_name, folder_period)
        if result is not None:
            yield result
