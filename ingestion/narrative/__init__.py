"""Narrative submissions (文字材料): task forces', departments' and counties' prose for the report.

One concern per module: ``documents`` (bytes → numbered paragraphs of .docx/.md/.txt),
``catalog`` (who may submit, which actions exist), ``headings`` (section and action headings),
``reader`` (``read_narrative``: one file → placed paragraphs and findings; what the portal's upload
check calls), ``figures`` (numbers with units in prose, for the check against the warehouse) and
``intake`` (rows for the landing tables, which file is current).
"""

from ingestion.narrative.catalog import NarrativeCatalog, Submitter
from ingestion.narrative.reader import NarrativeParagraph, NarrativeReadResult, is_narrative, read_narrative

__all__ = ["NarrativeCatalog", "NarrativeParagraph", "NarrativeReadResult", "Submitter", "is_narrative",
           "read_narrative"]
