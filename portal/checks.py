"""Tier-1 checks at upload: the monthly gate's rule catalog applied to one file, and the rule hints.

``check_upload`` (``expectations.tier1``) and ``annotate_xlsx`` (``publication.dq.annotate``) are the
shared implementation the monthly build's report agrees with; the portal adds only what precedes
them (size and type by content, in ``intake``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from expectations.tier1 import check_upload
from publication.dq.annotate import annotate_xlsx

__all__ = ["TypeRefusal", "UploadFinding", "annotate_xlsx", "check_upload", "hint_for"]

Status = Literal["accepted", "accepted_with_warnings", "rejected"]


@dataclass(frozen=True)
class UploadFinding:
    """A finding the portal makes before the tier-1 checks (the file's type)."""

    severity: str
    rule: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    hint: str = ""


@dataclass
class TypeRefusal:
    """The check result of a file refused for its type: rejected, tier-1 not run."""

    findings: list[UploadFinding] = field(default_factory=list)
    wrong_sender: str | None = None
    status: Status = "rejected"


def hint_for(rule: str) -> str:
    """What to do about ``rule``: the same hint the monthly data-quality report gives."""
    from expectations.suites import all_suites
    from ingestion.issues import RULE_HINTS

    if rule in RULE_HINTS:
        return RULE_HINTS[rule]
    return next((check.hint for suite in all_suites() for check in suite.checks if check.rule == rule), "")
