"""Scanning a month's inbox folder: the regular files to read, and every other entry as a finding.

Only regular files are read, and never through a link: a symbolic link (even to a file in the
inbox, even dangling or looping), a FIFO, a socket, a device or a folder named like a file is
listed as `SkippedEntry`, so its department learns that its "file" was not read. Nothing is
opened while scanning (``lstat`` only), so a FIFO never blocks the run. Office lock files,
macOS resource forks and hidden files that are not data are left out silently (`_ignored`).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ingestion.names import decode_file_name

NOT_A_REGULAR_FILE = "not_a_regular_file"


@dataclass(frozen=True)
class SkippedEntry:
    name: str  # decoded (see ingestion.names)
    message: str  # why it was not read, in Chinese, for the department's report


@dataclass(frozen=True)
class InboxScan:
    files: list[Path]
    skipped: list[SkippedEntry]


DATA_SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm", ".xls"})


def _ignored(name: str) -> bool:
    """Left out silently: Office lock files (``~$…``), macOS resource forks (``._…``) and hidden
    files that are not data (``.DS_Store``). A hidden *data* file (``..%2f..%2fetc.csv``) is read:
    someone sent it."""
    if name.startswith(("~$", "._")):
        return True
    return name.startswith(".") and Path(name).suffix.lower() not in DATA_SUFFIXES


def describe_link(path: Path, folder: Path) -> str:
    """Why a symbolic link in the inbox was not followed."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 raises it for a loop
        return "符号链接（循环链接），未读取"
    except OSError as error:
        if error.errno == 40:  # ELOOP
            return "符号链接（循环链接），未读取"
        return "符号链接（目标不存在），未读取"
    if not target.is_relative_to(folder.resolve()):
        return "符号链接（指向收件目录之外），未读取"
    return "符号链接，未读取：请直接放入文件本身"


def describe_special(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "这是一个文件夹，不是文件，未读取"
    if stat.S_ISFIFO(mode):
        return "这是命名管道（FIFO），不是文件，未读取"
    if stat.S_ISSOCK(mode):
        return "这是套接字，不是文件，未读取"
    return "这是设备或其他特殊文件，不是普通文件，未读取"


def scan_inbox(folder: Path) -> InboxScan:
    """The month folder's regular files in name order, and the entries that are not read."""
    if not folder.is_dir():
        return InboxScan([], [])
    files: list[Path] = []
    skipped: list[SkippedEntry] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _ignored(entry.name):
                continue
            path = folder / entry.name
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as error:
                skipped.append(SkippedEntry(decode_file_name(entry.name), f"无法读取该项（{error.strerror}），未读取"))
                continue
            if stat.S_ISLNK(mode):
                skipped.append(SkippedEntry(decode_file_name(entry.name), describe_link(path, folder)))
            elif stat.S_ISREG(mode):
                files.append(path)
            else:
                skipped.append(SkippedEntry(decode_file_name(entry.name), describe_special(mode)))
    return InboxScan(sorted(files), sorted(skipped, key=lambda skipped_entry: skipped_entry.name))


class NotARegularFile(OSError):
    """The inbox entry changed into something else than a regular file after the scan."""


def open_regular(path: Path) -> int:
    """A read-only descriptor of ``path``, never through a link and never blocking on a FIFO;
    raises NotARegularFile when ``path`` is not a regular file."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise NotARegularFile(f"{decode_file_name(path.name)} is not a regular file")
    return descriptor
