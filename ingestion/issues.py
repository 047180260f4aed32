"""Problems found while reading a file, recorded as data for the department's report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["blocking", "warning"]

# Rules a department can be told about. The hint (in Chinese) says how to fix the submission.
RULE_HINTS: dict[str, str] = {
    "unreadable_file": "文件无法打开或已损坏，请重新导出后报送（.xlsx 或 .csv）。",
    "empty_file": "文件为空，请确认导出是否成功后重新报送。",
    "unsupported_file_type": "数据仅接受 .csv 和 .xlsx 文件（启用宏的 .xlsm 请另存为 .xlsx），文字材料仅接受 .docx、.md 和 .txt（旧版 .doc 请另存为 .docx）。",
    "extension_mismatch": "文件内容与扩展名不符（如把 CSV 改名为 .xlsx），请在 Excel 中“另存为”正确格式后重新报送。",
    "file_too_large": "文件（或其解压后的内容）超过大小上限，请只报送本月指标数据。",
    "too_many_rows": "表格行数或单元格数超过上限，请只报送本月指标数据。",
    "unknown_layout": "未找到表头：长表需含 报送单位、统计期、地区、指标名称、数值、单位 列；宽表需以“地区”列开头，其余列为“指标(单位)”。",
    "missing_required_column": "缺少必填列，请按模板补齐列名后重新报送。",
    "unlabelled_column": "宽表的列标题应写成“指标名称(单位)”，如 社会消费品零售总额(亿元)；该列未入库。",
    "no_data_rows": "表头下没有数据行，请确认导出的是本月数据。",
    "formula_cached_value": "单元格含公式，系统只读取公式上次计算的结果、不重新计算；请粘贴为数值后报送。",
    "macros_ignored": "工作簿含宏，宏不会运行、已忽略；请另存为不含宏的 .xlsx。",
    "missing_value": "必填单元格为空，请补填。",
    "bad_number": "数值无法识别，请填写阿拉伯数字（可带千分位逗号或百分号）。",
    "bad_rank": "排名应为正整数，如 5、第5、第5名。",
    "bad_period": "统计期无法识别，请写成 2024年1-9月、2024年9月、2024-09 或 截至2024年10月31日。",
    "period_year_unknown": "统计期缺少年份，且无法从标题或文件夹推断，请写明年份。",
    "unknown_region": "地区名称不在地区目录中，请使用标准名称或代码（如 邵阳市、430500、城步县）。",
    "unknown_indicator": "指标名称不在指标目录中，请使用标准名称或目录中的别名。",
    "unknown_unit": "计量单位无法识别，请使用目录中的单位（如 亿元、万元、%、户、家、个）。",
    "unit_mismatch": "计量单位与指标的标准单位不属同一量纲，无法换算，请核对单位。",
    # Narrative files (文字材料, ingestion/narrative)
    "narrative_unknown_submitter": "请在文件标题（第一段）或文件名开头写明报送单位的标准名称，如“产业培塑行动工作专班”“市财政局”“隆回县”。",
    "narrative_outside_section": "请把文字放在章节标题之下：【重点任务】（一、重点任务进展情况）、【突出问题】（二、存在的突出问题）或【特色亮点】（三、特色亮点）。",
    "narrative_unknown_section": "月报只收重点任务、突出问题、特色亮点三部分；其他章节（如下一步工作打算）不进入月报，如需收入请改用这三个标题。",
    "narrative_action_unknown": "本单位负责不止一项行动，请在段前写明行动标题，如“▲实施产业培塑行动。”“（一）产业培塑行动”或段首“产业培塑行动：”。",
    "narrative_empty": "文件中没有章节标题下的文字，请确认报送的是本月文字材料。",
    "narrative_figure_mismatch": "文字材料中的数字与已发布的指标数值不一致，请核对文字或报表，以准确者为准重新报送。",
    "not_a_regular_file": "收件目录中的该项不是普通文件（链接、管道或文件夹），未读取；请直接报送 .xlsx 或 .csv 文件本身。",
    "conflicting_values": "同一指标、地区、统计期在本月报送中出现不同数值，请确认后只保留一个。",
}


# Rules that reject a whole file (the readers raise UnreadableFile with one of these, or the
# layout step finds nothing to read); the quality gate reports them once, per file.
FILE_REJECTING_RULES = frozenset({
    "unreadable_file", "empty_file", "unsupported_file_type", "extension_mismatch", "file_too_large",
    "too_many_rows", "unknown_layout", "missing_required_column",
})

@dataclass(frozen=True)
class Issue:
    """One problem, located as precisely as the input allows."""

    rule: str
    severity: Severity
    message: str
    source_file: str
    source_sheet: str | None = None
    source_row: int | None = None
    source_column: str | None = None
    raw_value: str | None = None

    @property
    def hint(self) -> str:
        return RULE_HINTS.get(self.rule, "")

    def as_row(self) -> dict[str, object]:
        row = asdict(self)
        row["hint"] = self.hint
        return row
