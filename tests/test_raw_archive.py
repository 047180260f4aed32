"""The raw archive's manifest, read incrementally: one instance sees what any process appended,
never half a line, and starts over when the manifest is another file."""

from __future__ import annotations

import json
from pathlib import Path

from ingestion.archive import RawArchive


def inbox_file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_archive_sees_what_another_one_appended(tmp_path: Path) -> None:
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    reader, writer = RawArchive(home), RawArchive(home)
    assert reader.entries() == []
    first = writer.add(inbox_file(inbox, "a.csv", "a"), "2024-10")
    assert reader.entries() == [first]
    second = writer.add(inbox_file(inbox, "b.csv", "b"), "2024-11")
    assert reader.entries() == [first, second]  # only the appended line was parsed, the first kept
    assert reader.for_month("2024-11") == [second]
    assert writer.add(inbox / "a.csv", "2024-10") == first  # the same bytes in a month: the same entry
    assert len(reader.entries()) == 2


def test_a_line_being_written_is_read_once_complete(tmp_path: Path) -> None:
    home = tmp_path / "home"
    archive = RawArchive(home)
    entry = archive.add(inbox_file(tmp_path / "inbox", "a.csv", "a"), "2024-10")
    line = archive.manifest.read_text(encoding="utf-8")
    other = json.loads(line) | {"sha256": "b" * 64, "original_name": "b.csv"}
    text = json.dumps(other, ensure_ascii=False) + "\n"
    with archive.manifest.open("a", encoding="utf-8") as handle:
        handle.write(text[:20])  # another process is halfway through its append
    assert archive.entries() == [entry]
    with archive.manifest.open("a", encoding="utf-8") as handle:
        handle.write(text[20:])
    assert [found.original_name for found in archive.entries()] == ["a.csv", "b.csv"]


def test_a_replaced_manifest_is_read_from_its_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    archive = RawArchive(home)
    archive.add(inbox_file(tmp_path / "inbox", "a.csv", "a"), "2024-10")
    second = archive.add(inbox_file(tmp_path / "inbox", "b.csv", "b"), "2024-10")
    assert len(archive.entries()) == 2
    kept = archive.manifest.read_text(encoding="utf-8").splitlines()[1] + "\n"
    replacement = archive.manifest.with_name("manifest.new")
    replacement.write_text(kept, encoding="utf-8")
    replacement.replace(archive.manifest)  # restored from a backup, say: another file
    assert archive.entries() == [second]
