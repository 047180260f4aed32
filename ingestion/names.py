"""Received file names as text that can be stored, shown and archived, whatever their bytes.

On Linux a name is bytes; Python hands undecodable bytes over as lone surrogates, which no UTF-8
writer (JSON manifest, DuckDB, HTML, DOCX) accepts. A zip made on a Chinese Windows PC unpacks
to GBK names. So a name is decoded as UTF-8, else GB18030 (a superset of GBK), else kept with
``\\xNN`` escapes for the bytes that are neither; control characters (a newline in a name) are
escaped too, so a name is always one printable line.
"""

from __future__ import annotations

import os
import unicodedata


def decode_file_name(name: str | bytes) -> str:
    """The name as printable text: UTF-8, else GB18030, else with ``\\xNN`` escapes."""
    raw = name if isinstance(name, bytes) else os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("utf-8", errors="backslashreplace")
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char
