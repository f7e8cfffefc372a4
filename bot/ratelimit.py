"""A per-user limit on answers: at most `rate` in any `per` seconds (a sliding window)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

__all__ = ["AnswerRateLimit"]


class AnswerRateLimit:
    """Counts answers per user; `allow()` says whether one more may be sent now."""

    def __init__(
        self, rate: int = 5, per: float = 30.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.per = per
        self._clock = clock
        self._sent: dict[int, deque[float]] = {}

    def allow(self, user_id: int) -> bool:
        """Record an answer for the user if the window has room; False when it has none."""
        now = self._clock()
        sent = self._sent.setdefault(user_id, deque())
        while sent and sent[0] <= now - self.per:
            sent.popleft()
        if len(sent) >= self.rate:
            return False
        sent.append(now)
        if len(self._sent) > 10_000:
            self._forget_idle(now)
        return True

    def has_room(self, user_id: int) -> bool:
        """Whether `allow()` would say yes now (recording nothing)."""
        return self.retry_after(user_id) == 0.0

    def retry_after(self, user_id: int) -> float:
        """Seconds until the user may get another answer (0 if now)."""
        sent = self._sent.get(user_id)
        if not sent or len(sent) < self.rate:
            return 0.0
        return max(0.0, sent[0] + self.per - self._clock())

    def _forget_idle(self, now: float) -> None:
        """Drop users with nothing in their window, so memory stays bounded."""
        for user_id in [u for u, s in self._sent.items() if not s or s[-1] <= now - self.per]:
            del self._sent[user_id]
