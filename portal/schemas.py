"""Pydantic models of every JSON request and response (contract section 6)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    severity: str
    rule: str
    sheet: str | None
    row: int | None = Field(description="the row as a spreadsheet shows it (header = 1)")
    column: str | None
    value: str | None
    message: str


class Receipt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    unit: str
    file_name: str
    sha256: str
    received_at: datetime
    status: Literal["accepted", "accepted_with_warnings", "rejected"]
    findings: list[FindingOut]


class ReturnIn(BaseModel):
    comment: str = Field(min_length=1, max_length=4000)


class ReturnOut(BaseModel):
    id: int
    unit: str
    returned_at: datetime
    comment: str


class ApproveIn(BaseModel):
    comment: str = Field(default="", max_length=4000)


class ApprovalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    report_month: str
    approved_by: str
    approved_at: datetime
    comment: str


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Problem(BaseModel):
    detail: str
