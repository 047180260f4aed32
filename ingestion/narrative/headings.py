"""Section and action headings, in the forms offices write them.

Sections: ``【重点任务】``, ``一、重点任务进展情况``, ``二、存在的突出问题``, ``三、特色亮点`` …
Actions: ``▲实施创新提升行动。``, ``（二）创新提升行动``, ``创新提升行动`` alone, or ``创新提升行动：`` at the
start of a paragraph, whose text after the colon is the paragraph's content; likewise the seed's own
``▲实施创新提升行动。`` opening a paragraph that goes on after the full stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingestion.narrative.catalog import NarrativeCatalog, fold

SECTIONS = ("重点任务", "突出问题", "特色亮点")
# Words that name a section inside its heading, most specific first.
_SECTION_WORDS = (("重点任务", "重点任务"), ("突出问题", "突出问题"), ("存在问题", "突出问题"),
                  ("存在的问题", "突出问题"), ("主要问题", "突出问题"), ("特色亮点", "特色亮点"),
                  ("亮点", "特色亮点"))
_NUMERAL = "一二三四五六七八九十"
# The numbering a heading opens with: 【…】, 一、, （一）, 1. / 1、
_SECTION_MARK = re.compile(rf"^(?:【(?P<bracketed>[^】]+)】|[{_NUMERAL}]+[、.]|\d+[、.])")
_ACTION_MARK = re.compile(rf"^(?:▲|△|[（(][{_NUMERAL}\d]+[)）]|[{_NUMERAL}]+[、.]|\d+[、.])")
_ACTION_LEAD = re.compile(r"^(?P<head>[^：:，,。]{2,20})[：:](?P<rest>.*)$")
_TRIANGLE_LEAD = re.compile(r"^[▲△](?P<head>[^：:，,。]{2,20})。(?P<rest>.+)$")
_TRAILING = "。.；;：:"
MAX_HEADING_CHARS = 24


@dataclass(frozen=True)
class ActionHeading:
    action: str
    rest: str  # text after ``…行动：`` on the same paragraph ('' for a heading on its own)


def _strip_mark(text: str, mark: re.Pattern[str]) -> tuple[str, bool]:
    match = mark.match(text)
    if not match:
        return text, False
    inner = match.groupdict().get("bracketed")
    return (inner if inner is not None else text[match.end():]).strip(), True


def section_of(text: str, styled: bool = False) -> str | None:
    """The section a heading names, or None. A plain paragraph counts only with a numbering mark,
    brackets, or when it is nothing but the section's words; ``styled`` (a Word heading or bold
    paragraph) lifts that requirement."""
    folded = fold(text).rstrip(_TRAILING)
    if len(folded) > MAX_HEADING_CHARS:
        return None
    inner, marked = _strip_mark(folded, _SECTION_MARK)
    for word, section in _SECTION_WORDS:
        if word in inner and (marked or styled or inner in (word, section)):
            return section
    return None


def looks_like_section(text: str, level: int | None) -> bool:
    """A heading of an unknown section (``四、下一步工作打算``): prose under it is outside every
    known section."""
    folded = fold(text)
    if level == 1:
        return True
    return len(folded) <= MAX_HEADING_CHARS and not folded.endswith("。") and bool(
        re.match(rf"^(?:【[^】]+】$|[{_NUMERAL}]+、)", folded))


def action_heading(text: str, catalog: NarrativeCatalog) -> ActionHeading | None:
    """The action a heading (or a paragraph's ``…行动：`` opening) names, or None."""
    folded = fold(text)
    inner, _ = _strip_mark(folded, _ACTION_MARK)
    name = inner.rstrip(_TRAILING).removeprefix("实施")
    action = catalog.action_named(name)
    if action:
        return ActionHeading(action, "")
    lead = _ACTION_LEAD.match(text.strip()) or _TRIANGLE_LEAD.match(text.strip())
    if lead:
        head, _ = _strip_mark(fold(lead.group("head")), _ACTION_MARK)
        action = catalog.action_named(head.removeprefix("实施"))
        if action:
            return ActionHeading(action, lead.group("rest").strip())
    return None
