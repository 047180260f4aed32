"""Checks every command makes on its arguments before doing anything: one line and exit 2 when bad.

Each check raises `BadArgument` with the line to print; `guarded` maps it (and the home's
`NotAHome`/`NotOurs`/`HomeBusy`) to the documented exit codes.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from yuebao.home import EXIT_BUSY, Holder, HomeBusy, NotAHome, NotOurs, check_home
from yuebao.month_run import InvalidMonth, check_month

EXIT_BAD_ARGUMENTS = 2
REFERENCE_FILES = ("regions.csv", "indicators.csv", "departments.csv", "units.csv")


class BadArgument(ValueError):
    pass


def month(value: str, option: str = "--month") -> str:
    try:
        return check_month(value)
    except InvalidMonth as error:
        raise BadArgument(f"{option}: {error}") from None


def folder(path: Path, option: str) -> Path:
    """An existing folder (not a file, not missing), resolved."""
    if not path.exists():
        raise BadArgument(f"{option} {path} does not exist")
    if not path.is_dir():
        raise BadArgument(f"{option} {path} is not a folder")
    return path.resolve()


def reference(path: Path | None) -> Path | None:
    """``--reference``: a folder holding the four catalog CSVs."""
    if path is None:
        return None
    found = folder(path, "--reference")
    missing = [name for name in REFERENCE_FILES if not (found / name).is_file()]
    if missing:
        raise BadArgument(f"--reference {path} lacks {', '.join(missing)}")
    return found


def home(path: Path, must_exist: bool = False) -> Path:
    try:
        return check_home(path, must_exist=must_exist)
    except NotAHome as error:
        raise BadArgument(str(error)) from None


def plain_text(value: str, option: str) -> str:
    """One line of text: no newlines or other control characters, not blank."""
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise BadArgument(f"{option} must be one line of plain text (no newlines or control characters)")
    if not value.strip():
        raise BadArgument(f"{option} must not be empty")
    return value.strip()


def say_waiting(holder: Holder | None) -> None:
    who = holder.describe() if holder else "another yuebao process"
    print(f"yuebao: waiting for {who} to finish", file=sys.stderr, flush=True)


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A command handler whose refusals are one line on stderr: bad argument or a home that is not
    ours (exit 2), a home busy with another run (exit 4)."""

    @wraps(handler)
    def handle(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (BadArgument, NotAHome, NotOurs) as error:
            print(f"yuebao: {' '.join(str(error).split())}", file=sys.stderr)
            return EXIT_BAD_ARGUMENTS
        except HomeBusy as error:
            print(f"yuebao: {error}", file=sys.stderr)
            return EXIT_BUSY

    return handle
