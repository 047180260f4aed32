"""【重点任务】【突出问题】【特色亮点】: the prose the task forces, departments and counties sent
(``fct_narrative``), placed under its section and action in the order the mart gives (the action's
task force or lead department, then other departments, then counties; paragraphs in file order).

The first paragraph of an action opens with its heading (▲实施…行动。). In 【特色亮点】 a county's
first paragraph carries the county's name, as the seed writes it ("隆回县以…"): prefixed when the
county did not write it.
"""

from __future__ import annotations

import pandas as pd

from publication.bulletin.data import BulletinData
from publication.bulletin.document import Paragraph, ProseSource
from publication.bulletin.indicators import action_heading


def prose_paragraphs(data: BulletinData, section: str, action: str) -> list[Paragraph]:
    rows = _rows(data, section, action)
    paragraphs = []
    for index, (_, row) in enumerate(rows.iterrows()):
        text = str(row["text"]).strip()
        if section == "特色亮点" and row["submitter_kind"] == "county" and int(row["seq"]) == 1:
            text = _with_county_name(text, str(row["submitter"]), data)
        paragraphs.append(Paragraph(
            action_heading(action) if index == 0 else "", [text], action=action,
            prose=ProseSource(str(row["submitter"]), str(row["source_file"]), int(row["source_paragraph"])),
        ))
    return paragraphs


def prose_text(data: BulletinData, section: str, action: str) -> str:
    """The action's prose in ``section`` as one text (what 【突出问题】 compares its findings with)."""
    return "".join(str(text) for text in _rows(data, section, action)["text"])


def _rows(data: BulletinData, section: str, action: str) -> pd.DataFrame:
    narrative = data.narrative
    if narrative.empty:
        return narrative
    rows = narrative[(narrative["section"] == section) & (narrative["action"] == action)]
    return rows.sort_values(["submitter_order", "submitter", "seq"], kind="stable")


def _with_county_name(text: str, county: str, data: BulletinData) -> str:
    names = {county}
    matches = data.regions[data.regions["region_name"] == county]
    if not matches.empty:
        names.add(str(matches.iloc[0]["short_name"]))
    return text if any(text.startswith(name) for name in names if name) else f"{county}{text}"
