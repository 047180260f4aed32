"""The portal's store: SQLAlchemy models, the engine, and the Alembic migrations run at start."""
