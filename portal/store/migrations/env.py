"""Alembic environment: the portal runs migrations in-process at start (``store.engine.migrate``)."""

from __future__ import annotations

from alembic import context

from portal.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
