"""Turning a narrative file's bytes into numbered paragraphs: ``.docx``, ``.md`` or ``.txt``.

A paragraph keeps what tells a heading from prose: its Word style level (title 0, heading 1..),
whether it is bold throughout, and the bold run it opens with (``主体强身行动：`` in bold, then
the text). Paragraph numbers are 1-based as a person finds them: Word's paragraph count (empty
paragraphs included) or the line number of a text file. Nothing is evaluated or followed.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from ingestion.readers import MAX_FILE_BYTES, UnreadableFile, decode_text

NARRATIVE_SUFFIXES = frozenset({".docx", ".md", ".txt"})
# A .docx is a zip: refuse one whose parts would unpack to more than this, or hold too many parts.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 2000
MAX_PARAGRAPHS = 20_000
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*$")
_MD_BOLD_LINE = re.compile(r"^\*\*(.+)\*\*$")
_MD_BOLD_LEAD = re.compile(r"^\*\*(.+?)\*\*(.+)$")
_WORD_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


@dataclass(frozen=True)
class SourceParagraph:
    number: int  # 1-based paragraph number in the file
    text: str  # the paragraph as written, without leading and trailing whitespace (U+3000 included)
    level: int | None = None  # 0 title, 1.. heading level; None for body text
    bold: bool = False  # every character of the paragraph is bold
    bold_lead: str = ""  # the bold run(s) the paragraph opens with, when the rest is not bold


def clean(text: str) -> str:
    return text.strip().strip("\u3000\ufeff").strip()


def read_paragraphs(data: bytes, suffix: str) -> tuple[list[SourceParagraph], str | None]:
    """Paragraphs of a narrative file and the text encoding (None for .docx).

    Raises ``UnreadableFile`` when the file as a whole cannot be read.
    """
    if not data:
        raise UnreadableFile("empty_file", "文件为空（0 字节）")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("file_too_large", f"文件大小 {len(data)} 字节，超过上限 {MAX_FILE_BYTES}")
    suffix = suffix.lower()
    if suffix == ".docx":
        return read_docx(data), None
    if suffix in (".md", ".txt"):
        if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
            raise UnreadableFile("extension_mismatch", f"扩展名为 {suffix}，但内容是 Office 文档")
        text, encoding = decode_text(data)
        if "\x00" in text:
            raise UnreadableFile("unreadable_file", "文件含二进制内容，不是文本文件")
        lines = text.splitlines()
        if len(lines) > MAX_PARAGRAPHS:
            raise UnreadableFile("too_many_rows", f"超过 {MAX_PARAGRAPHS} 行")
        return (read_markdown(lines) if suffix == ".md" else read_text(lines)), encoding
    raise UnreadableFile("unsupported_file_type", f"不支持的文件类型 {suffix or '（无扩展名）'}")


def read_text(lines: list[str]) -> list[SourceParagraph]:
    return [SourceParagraph(number, clean(line)) for number, line in enumerate(lines, 1)]


def read_markdown(lines: list[str]) -> list[SourceParagraph]:
    """``#`` is the title, ``##`` a section, ``###`` a sub-heading; ``**…**`` is bold."""
    paragraphs = []
    for number, line in enumerate(lines, 1):
        text = clean(line)
        heading = _MD_HEADING.match(text)
        if heading:
            paragraphs.append(SourceParagraph(number, heading.group(2), len(heading.group(1)) - 1))
            continue
        bold_line = _MD_BOLD_LINE.match(text)
        if bold_line and "**" not in bold_line.group(1):
            paragraphs.append(SourceParagraph(number, bold_line.group(1), bold=True))
            continue
        lead = _MD_BOLD_LEAD.match(text)
        if lead:
            paragraphs.append(SourceParagraph(number, lead.group(1) + lead.group(2), bold_lead=lead.group(1)))
            continue
        paragraphs.append(SourceParagraph(number, text))
    return paragraphs


def _check_zip(data: bytes) -> None:
    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile("unsupported_file_type", "这是旧版 .doc 或加密的文档，请另存为 .docx")
    if not data.startswith(_ZIP_MAGIC):
        raise UnreadableFile("extension_mismatch", "扩展名为 .docx，但内容不是 Word 文档")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("unreadable_file", f"Word 文档已损坏或无法解析：{exc}") from exc
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise UnreadableFile("file_too_large", f"文档解压后超过 {MAX_UNPACKED_BYTES} 字节或 {MAX_PARTS} 个部件")


def read_docx(data: bytes) -> list[SourceParagraph]:
    """Body paragraphs of a Word document, after its zip was checked for size."""
    _check_zip(data)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        body = list(document.paragraphs)
    except Exception as exc:  # python-docx raises many types for broken parts
        raise UnreadableFile("unreadable_file", f"Word 文档已损坏或无法解析：{exc}") from exc
    if len(body) > MAX_PARAGRAPHS:
        raise UnreadableFile("too_many_rows", f"超过 {MAX_PARAGRAPHS} 个段落")
    return [_docx_paragraph(number, paragraph) for number, paragraph in enumerate(body, 1)]


def _style_level(paragraph: object) -> int | None:
    style = getattr(paragraph, "style", None)
    name = (getattr(style, "name", "") or "").strip()
    if name.lower() in ("title", "标题"):
        return 0
    match = _WORD_HEADING.match(name)
    return int(match.group(1)) if match else None


def _docx_paragraph(number: int, paragraph: object) -> SourceParagraph:
    runs = [(run.text, bool(run.bold)) for run in paragraph.runs if run.text]  # type: ignore[attr-defined]
    text = clean(paragraph.text)  # type: ignore[attr-defined]
    bold = bool(runs) and all(is_bold for chunk, is_bold in runs if chunk.strip())
    lead = ""
    if not bold:
        for chunk, is_bold in runs:
            if not is_bold:
                break
            lead += chunk
    return SourceParagraph(number, text, _style_level(paragraph), bold, clean(lead))
