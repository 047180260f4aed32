"""Normalising the text of cells: full-width forms, stray spaces, cell values to strings."""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from functools import lru_cache

# A month's cells repeat a few thousand names, units and periods millions of times: the text
# functions they go through remember their recent answers (pure functions of a string).
_CACHED = 1 << 16


@lru_cache(maxsize=_CACHED)
def normalize(text: str) -> str:
    """NFKC-fold full-width digits and punctuation (１１３５．４ → 1135.4, （ → (), trim spaces."""
    folded = unicodedata.normalize("NFKC", text)
    return folded.replace("\u3000", " ").strip()


def cell_text(value: object) -> str | None:
    """A cell as the text a person sees; None for an empty cell.

    Text that starts with ``= + - @`` stays text: cells are never evaluated.
    """
    if value is None:
        return None
    if type(value) is str:  # most cells: a CSV has nothing else
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def compact(text: str) -> str:
    """Header matching form: normalised, without inner spaces, lower case."""
    return "".join(normalize(text).split()).lower()


def name_text(text: str | None) -> str | None:
    """A region or indicator name as matched against the catalog: folded, without spaces."""
    return _name_key(text) if text else None


@lru_cache(maxsize=_CACHED)
def _name_key(text: str) -> str:
    return "".join(normalize(text).split())
