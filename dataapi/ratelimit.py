"""A token bucket per caller: ``rate`` requests a second sustained, ``burst`` at once.

Callers are keyed by the portal's user when there is one, else by client address. A refused
request learns when the next token is due (HTTP 429 with ``Retry-After``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class TokenBuckets:
    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic,
                 max_callers: int = 10_000) -> None:
        self.rate, self.burst = rate, max(burst, 1.0)
        self._clock = clock
        self._max_callers = max_callers
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # caller → (tokens, last refill)

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, caller: str) -> float:
        """0 when the request may go ahead; else the seconds until it may (whole, at least 1)."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(caller, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[caller] = (tokens - 1, now)
                self._forget_idle(now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return float(max(1, math.ceil((1 - tokens) / self.rate)))

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded: drop callers whose bucket has refilled completely."""
        if len(self._buckets) <= self._max_callers:
            return
        full_after = self.burst / self.rate
        for caller, (_, last) in list(self._buckets.items()):
            if now - last >= full_after:
                del self._buckets[caller]
