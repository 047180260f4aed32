"""Answers kept per published version: a published version never changes, so an answer computed
for it stays right until the next publication changes the version (and so the key).

Bounded by total bytes (least recently used go first); answers larger than an eighth of the
bound are not kept. Keys carry the version and the query, never the caller: access is decided
before the cache is consulted, and the body does not depend on who asked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Kept:
    body: bytes
    media_type: str
    headers: dict[str, str]
    status_code: int = 200


class ResponseCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self._bytes = 0

    def get(self, key: str) -> Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
            return kept

    def put(self, key: str, kept: Kept) -> None:
        size = len(kept.body)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = kept
            self._bytes += size
            while self._bytes > self.max_bytes and self._kept:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= len(dropped.body)
