"""Reading departmental exports and narrative files into the landing tables.

The entry point is :func:`ingestion.load.ingest_month`; each concern has its own module:
``text`` (normalising cells), ``numbers``, ``periods``, ``readers`` (bytes → sheets of cells),
``layouts`` (sheets → observations), ``archive`` (immutable raw store), ``landing`` (DuckDB tables),
and the ``narrative`` package (文字材料: .docx/.md/.txt → placed paragraphs and their figures).
"""
