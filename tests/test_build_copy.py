"""A month's build starts from a copy of the warehouse (`publication.warehouse.start_build`), whose
writing to disk starts at once in the background (`start_writing_out`) instead of waiting for the
build's first checkpoint: the copy is the file, byte for byte, and the caller never waits for the
disk."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from publication import warehouse


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(os.urandom(3 * 2**20 + 123))
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_copy_is_written_out_in_the_background(source: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real = warehouse._sync_file_range()
    assert real is not None  # Linux: the system call is there
    release = threading.Event()
    asked: list[tuple[str, int, int, int]] = []

    def start_writing(fd: int, offset: int, count: int, flags: int) -> int:
        asked.append((os.readlink(f"/proc/self/fd/{fd}"), offset, count, flags))
        release.wait(10)  # the disk is slow: the caller must not be waiting for this
        return real(fd, offset, count, flags)

    monkeypatch.setattr(warehouse, "_sync_file_range", lambda: start_writing)
    build = tmp_path / "build" / "warehouse.duckdb"
    warehouse.start_build(source, build, tmp_path / "build-dir")  # returns while the writing is held
    assert digest(build) == digest(source)
    writer = next(thread for thread in threading.enumerate() if thread.name == f"write out {build.name}")
    release.set()
    writer.join(10)
    assert asked == [(str(build), 0, 0, warehouse.SYNC_FILE_RANGE_WRITE)]  # the whole file, start only


def test_without_the_system_call_it_is_a_plain_copy(source: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warehouse, "_sync_file_range", lambda: None)
    build = tmp_path / "build" / "warehouse.duckdb"
    warehouse.start_build(source, build, tmp_path / "build-dir")
    assert digest(build) == digest(source)
    assert warehouse.start_writing_out(build) is None


def test_a_build_file_gone_before_its_writing_started_is_no_error(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    raised: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args.exc_value))
    writer = warehouse.start_writing_out(tmp_path / "emptied" / "warehouse.duckdb")
    assert writer is not None
    writer.join(10)
    assert not writer.is_alive() and raised == []
