"""How close a bulletin reads to the seed report: difflib ratio per section and action on the
text without whitespace (note marks and charts removed). `python -m publication.bulletin.similarity
bulletin.md [seed.txt]` prints the table recorded in docs/bulletin-similarity.md."""

from __future__ import annotations

import re
import sys
from difflib import SequenceMatcher
from pathlib import Path

SECTIONS = ("【重要指标】", "【重点任务】", "【突出问题】", "【特色亮点】")
SEED = Path(__file__).resolve().parents[2] / "samples" / "seed-report-2024-10.txt"
ACTION = re.compile(r"▲实施(.+?行动)。")
NOTE_MARK = re.compile(r"\[\^[a-z]\d+\]")


def split_sections(text: str) -> dict[str, dict[str, str]]:
    """Section → action → text (whitespace removed) of a report in the seed's layout."""
    flat = re.sub(r"\s+", "", text)
    found: dict[str, dict[str, str]] = {}
    for index, section in enumerate(SECTIONS):
        if section not in flat:
            continue
        body = flat.split(section, 1)[1]
        for later in SECTIONS[index + 1:] + ("报：",):
            body = body.split(later, 1)[0]
        parts = ACTION.split(body)
        found[section] = {parts[position]: parts[position + 1] for position in range(1, len(parts) - 1, 2)}
    return found


def seed_sections(path: Path = SEED) -> dict[str, dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.strip().isdigit()]
    return split_sections("\n".join(lines))


def markdown_sections(markdown: str) -> dict[str, dict[str, str]]:
    body = markdown.split("\n## 修订说明", 1)[0].split("\n## 数据质量提示", 1)[0].split("\n## 数据来源", 1)[0]
    body = body.split("\n## 文字材料来源", 1)[0]
    lines = [NOTE_MARK.sub("", line) for line in body.splitlines() if not line.startswith(("![", "# "))]
    return split_sections("\n".join(lines).replace("## ", ""))


def ratios(bulletin: dict[str, dict[str, str]], seed: dict[str, dict[str, str]]) -> dict[str, dict[str, float]]:
    """Per section and seed action: the ratio (0 where the bulletin lacks the action)."""
    return {section: {action: SequenceMatcher(None, bulletin.get(section, {}).get(action, ""), text,
                                              autojunk=False).ratio()
                      for action, text in actions.items()}
            for section, actions in seed.items()}


def overall(bulletin: dict[str, dict[str, str]], seed: dict[str, dict[str, str]]) -> float:
    """The whole report's ratio: all sections' action texts in order, concatenated."""
    def joined(parts: dict[str, dict[str, str]]) -> str:
        return "".join(section + action + text for section in SECTIONS
                       for action, text in parts.get(section, {}).items())
    return SequenceMatcher(None, joined(bulletin), joined(seed), autojunk=False).ratio()


def report(markdown: str, seed_path: Path = SEED) -> str:
    seed = seed_sections(seed_path)
    bulletin = markdown_sections(markdown)
    table = ratios(bulletin, seed)
    lines = ["| section | action | ratio |", "|---|---|---|"]
    for section, actions in table.items():
        for action, ratio in actions.items():
            lines.append(f"| {section} | {action} | {ratio:.3f} |")
        mean = sum(actions.values()) / len(actions)
        lines.append(f"| {section} | **mean of actions** | **{mean:.3f}** |")
    lines.append(f"| whole report | all sections in order | **{overall(bulletin, seed):.3f}** |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(Path(sys.argv[1]).read_text(encoding="utf-8"), Path(sys.argv[2]) if len(sys.argv) > 2 else SEED))
