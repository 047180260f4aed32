"""The coordination office: delivery tracker, findings, return with comment, approve publication,
the month's draft bulletin and data-quality summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select

from portal import office
from portal.deps import (
    Db,
    Month,
    Settings,
    api_reviewed_submission,
    api_reviewer,
    client_ip,
    page_office,
    page_reviewed_submission,
    page_reviewer,
    session_csrf,
)
from portal.pages import render
from portal.schemas import ApprovalOut, ApproveIn, ReturnIn, ReturnOut
from portal.settings import PortalSettings
from portal.store.models import Account, Submission
from yuebao.month_run import MonthRun

router = APIRouter()


# JSON API ----------------------------------------------------------------------------------------

@router.post("/api/v1/submissions/{submission_id}/return", response_model=ReturnOut)
def api_return(request: Request, db: Db, settings: Settings, body: ReturnIn,
               submission: Annotated[Submission, Depends(api_reviewed_submission)],
               reviewer: Annotated[Account, Depends(api_reviewer)]) -> ReturnOut:
    note = office.return_submission(db, settings, submission, reviewer, body.comment,
                                    request.app.state.mailer_factory(submission.report_month), client_ip(request))
    db.commit()
    return ReturnOut(id=submission.id, unit=submission.unit, returned_at=note.created_at, comment=note.text)


@router.post("/api/v1/months/{month}/approve", response_model=ApprovalOut)
def api_approve(month: Month, request: Request, db: Db, settings: Settings,
                reviewer: Annotated[Account, Depends(api_reviewer)],
                body: Annotated[ApproveIn | None, Body()] = None) -> ApprovalOut:
    approval = office.approve_month(db, settings, month, reviewer, (body or ApproveIn()).comment, client_ip(request))
    db.commit()
    return ApprovalOut.model_validate(approval)


# Pages -------------------------------------------------------------------------------------------

Folder = Literal["draft", "publish"]


def _folder(settings: PortalSettings, month: str, folder: Folder) -> Path:
    """The month's draft (rendered for approval) or publish folder, as ``MonthRun`` places them."""
    run = MonthRun(month, settings.inbox, settings.home)
    return run.build_dir / "draft" if folder == "draft" else run.publish_dir


def _documents(settings: PortalSettings, month: str) -> dict[str, str]:
    """Links to the month's bulletin (the draft while it waits for approval) and quality summary."""
    found = {}
    for folder in ("draft", "publish"):
        if (_folder(settings, month, folder) / "bulletin.html").is_file():
            found["bulletin"] = f"/review/{month}/{folder}/bulletin.html"
    if (_folder(settings, month, "publish") / "dq" / "index.html").is_file():
        found["dq"] = f"/review/{month}/publish/dq/index.html"
    return found


@router.get("/review/{month}")
def tracker_page(month: Month, request: Request, db: Db, settings: Settings,
                 account: Annotated[Account, Depends(page_office)]) -> Response:
    submissions = list(db.scalars(select(Submission).where(Submission.report_month == month)
                                  .order_by(Submission.id.desc())))
    return render(request, "tracker.html", {
        "account": account, "month": month, "rows": office.tracker(db, settings, month),
        "due": office.due_at(month, office.reminder_day(db, settings.deployment.reminder_day)), "submissions": submissions,
        "approvals": office.approvals(db, month), "documents": _documents(settings, month)})


@router.get("/review/{month}/tracker")
def tracker_fragment(month: Month, request: Request, db: Db, settings: Settings,
                     account: Annotated[Account, Depends(page_office)]) -> Response:
    """The tracker table alone, which the tracker page re-reads every 15 s (live without a framework)."""
    return render(request, "_tracker_table.html", {"month": month, "rows": office.tracker(db, settings, month)})


@router.get("/review/{month}/{folder}/{name:path}")
def month_document(month: Month, folder: Folder, name: str, settings: Settings,
                   account: Annotated[Account, Depends(page_office)]) -> Response:
    """A file of the month's draft or publish folder (bulletin, its charts, the quality reports)."""
    base = _folder(settings, month, folder).resolve()
    target = (base / name).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise HTTPException(404, "没有这个文件")
    return FileResponse(target)


@router.post("/submissions/{submission_id}/return", dependencies=[Depends(session_csrf)])
def return_form(request: Request, db: Db, settings: Settings,
                submission: Annotated[Submission, Depends(page_reviewed_submission)],
                reviewer: Annotated[Account, Depends(page_reviewer)],
                comment: Annotated[str, Form(min_length=1, max_length=4000)]) -> Response:
    office.return_submission(db, settings, submission, reviewer, comment,
                             request.app.state.mailer_factory(submission.report_month), client_ip(request))
    db.commit()
    return RedirectResponse(f"/submissions/{submission.id}", status_code=303)


@router.post("/review/{month}/approve", dependencies=[Depends(session_csrf)])
def approve_form(month: Month, request: Request, db: Db, settings: Settings,
                 reviewer: Annotated[Account, Depends(page_reviewer)],
                 comment: Annotated[str, Form(max_length=4000)] = "") -> Response:
    office.approve_month(db, settings, month, reviewer, comment, client_ip(request))
    db.commit()
    return RedirectResponse(f"/review/{month}", status_code=303)
