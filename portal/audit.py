"""The audit log: one row per login (either outcome), upload, return, approval and account change."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from portal.store.models import AuditEvent


def record(db: Session, action: str, actor: str | None, *, ip: str | None = None, target: str | None = None,
           detail: str = "") -> None:
    """Add an audit row to the caller's unit of work (committed with it). Never pass a secret."""
    db.add(AuditEvent(at=datetime.now(UTC), actor=actor, ip=ip, action=action, target=target, detail=detail))
