"""Reading departmental exports into the landing tables.

The entry point is :func:`ingestion.load.ingest_month`; each concern has its own module:
``text`` (normalising cells), ``numbers``, ``periods``, ``readers`` (bytes → sheets of cells),
``layouts`` (sheets → observations), ``archive`` (immutable raw store), ``landing`` (DuckDB tables).
"""
