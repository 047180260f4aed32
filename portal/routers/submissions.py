"""Reporters: upload (JSON API and the upload page), receipts, findings, the annotated Excel."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from portal import checks, intake
from portal.deps import (
    Db,
    Month,
    Settings,
    api_reporter,
    api_submission,
    client_ip,
    page_account,
    page_reporter,
    page_submission,
    session_csrf,
    visible_units,
)
from portal.office import approvals, due_at, reminder_day
from portal.pages import render
from portal.schemas import Receipt
from portal.store.models import Account, Comment, Submission
from portal.units import find_unit, indicators_expected, narrative_expected

router = APIRouter()


# JSON API ----------------------------------------------------------------------------------------

@router.post("/api/v1/months/{month}/submissions", status_code=201, response_model=Receipt,
             responses={401: {}, 403: {}, 413: {}, 422: {}})
def api_upload(month: Month, request: Request, db: Db, settings: Settings,
               account: Annotated[Account, Depends(api_reporter)], file: Annotated[UploadFile, File()]) -> Receipt:
    submission = _receive(db, settings, account, month, file, client_ip(request))
    return Receipt.model_validate(submission)


@router.get("/api/v1/months/{month}/submissions", response_model=list[Receipt])
def api_list(month: Month, db: Db, unit: Annotated[str | None, Depends(visible_units)]) -> list[Receipt]:
    query = select(Submission).where(Submission.report_month == month).order_by(Submission.id)
    if unit is not None:
        query = query.where(Submission.unit == unit)
    return [Receipt.model_validate(submission) for submission in db.scalars(query)]


@router.get("/api/v1/submissions/{submission_id}", response_model=Receipt)
def api_receipt(submission: Annotated[Submission, Depends(api_submission)]) -> Receipt:
    return Receipt.model_validate(submission)


def _receive(db: Db, settings: Settings, account: Account, month: str, file: UploadFile, ip: str) -> Submission:
    """One upload through intake; the errors the contract names become 413 and 422."""
    try:
        submission = intake.receive(db, settings, account, month,
                                    intake.Upload(file.filename or "", file.file), ip)
    except intake.UploadTooLarge as error:
        db.commit()
        raise HTTPException(413, str(error)) from error
    except intake.WrongSender as error:
        db.commit()
        raise HTTPException(422, f"文件的报送单位为“{error.sender}”，不是本单位（{account.unit}）") from error
    db.commit()
    return submission


# Pages -------------------------------------------------------------------------------------------

@router.get("/months/{month}")
def month_page(month: Month, request: Request, db: Db, settings: Settings,
               account: Annotated[Account, Depends(page_reporter)],
               new: Annotated[str, Query(max_length=200, pattern=r"^[0-9,]*$")] = "") -> Response:
    return _month_page(request, db, settings, account, month, [int(i) for i in new.split(",") if i], [])


def _month_page(request: Request, db: Db, settings: Settings, account: Account, month: str, new: list[int],
                errors: list[str], status_code: int = 200) -> Response:
    submissions = list(db.scalars(select(Submission).where(
        Submission.report_month == month, Submission.unit == account.unit).order_by(Submission.id.desc())))
    unit = find_unit(settings.catalog_dir, account.unit)
    comments = list(db.scalars(select(Comment).join(Submission).where(
        Submission.unit == account.unit).order_by(Comment.created_at.desc())))
    months = db.execute(select(Submission.report_month, func.count()).where(Submission.unit == account.unit)
                        .group_by(Submission.report_month).order_by(Submission.report_month.desc())).all()
    return render(request, "reporter.html", {
        "months": months,
        "account": account, "month": month, "due": due_at(month, reminder_day(db, settings.deployment.reminder_day)),
        "indicators": indicators_expected(settings.catalog_dir, account.unit),
        "narrative": narrative_expected(settings.catalog_dir, unit) if unit else [],
        "submissions": submissions, "new": [s for s in submissions if s.id in new],
        "errors": errors, "comments": comments, "approvals": approvals(db, month),
        "max_mb": settings.max_upload_bytes // (1024 * 1024), "hint_for": checks.hint_for,
    }, status_code=status_code)


@router.post("/months/{month}/upload", dependencies=[Depends(session_csrf)])
def upload_page(month: Month, request: Request, db: Db, settings: Settings,
                account: Annotated[Account, Depends(page_reporter)],
                files: Annotated[list[UploadFile], File()]) -> Response:
    received: list[int] = []
    errors: list[str] = []
    codes: list[int] = []
    for file in files:
        try:
            received.append(_receive(db, settings, account, month, file, client_ip(request)).id)
        except HTTPException as error:
            errors.append(f"{file.filename}：{error.detail}")
            codes.append(error.status_code)
    if not errors:
        return RedirectResponse(f"/months/{month}?new={','.join(map(str, received))}", status_code=303)
    return _month_page(request, db, settings, account, month, received, errors,
                       200 if received else codes[0])


@router.get("/submissions/{submission_id}")
def submission_page(request: Request, submission: Annotated[Submission, Depends(page_submission)],
                    account: Annotated[Account, Depends(page_account)]) -> Response:
    return render(request, "submission.html", {"submission": submission, "account": account,
                                               "hint_for": checks.hint_for})


@router.get("/submissions/{submission_id}/annotated.xlsx")
def annotated_workbook(settings: Settings, submission: Annotated[Submission, Depends(page_submission)]) -> Response:
    data = checks.annotate_xlsx(intake.archived_path(settings, submission), submission.file_name,
                                submission.findings)
    name = f"批注_{submission.file_name.rsplit('.', 1)[0]}.xlsx"
    disposition = f"attachment; filename=\"submission-{submission.id}-annotated.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": disposition})
