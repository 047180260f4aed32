"""Parsing numbers, percentages and ranks as departments write them."""

from __future__ import annotations

import re

from ingestion.text import normalize

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RANK = re.compile(r"^(?:第|全省第|片区第)?\s*([0-9]+|[一二三四五六七八九十]+)\s*(?:名|位)?$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def parse_number(text: str) -> float:
    """``1,135.4`` / ``１１３５．４`` / ``5.8%`` / ``-3.8`` → float. Raises ValueError otherwise."""
    if text.isascii():  # NFKC leaves ASCII as it is: skip it for the common case
        s = text.strip().replace(" ", "")
    else:
        s = normalize(text).replace(" ", "").replace("\u2212", "-")  # U+2212 MINUS SIGN, as typed in Word
    if s.endswith("%"):
        s = s[:-1]
    if _PLAIN.match(s):  # the common case first: a plain number has no thousands separator
        return float(s)
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if not _PLAIN.match(s):
        raise ValueError(f"not a number: {text!r}")
    return float(s)


def chinese_numeral(text: str) -> int:
    """一 … 九十九 → int (enough for ranks)."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


def parse_rank(text: str) -> int:
    """``5`` / ``第5`` / ``第5名`` / ``第四`` → 5. Raises ValueError for anything else or < 1."""
    s = normalize(text).replace(" ", "")
    if s.endswith(".0"):
        s = s[:-2]
    match = _RANK.match(s)
    if not match:
        raise ValueError(f"not a rank: {text!r}")
    token = match.group(1)
    rank = int(token) if token.isdigit() else chinese_numeral(token)
    if rank < 1:
        raise ValueError(f"rank below 1: {text!r}")
    return rank
