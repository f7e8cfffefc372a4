"""Discord's 3-second window for a first response, read from interaction ids.

An interaction's snowflake id encodes when Discord created it. One that arrives (or reaches
its command) already too old to be answered in time is dropped with one short log line: any
work on it is wasted, and a doomed callback, its traceback and a second attempt to report it
are what made a bot that fell behind fall further behind.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

import discord

__all__ = ["RESPONSE_WINDOW", "ResponseWindow", "is_lost_interaction"]

RESPONSE_WINDOW = 3.0  # seconds Discord allows from creation to the first response
# What sending a response takes on a busy loop (several awaits, one HTTP request): one that
# starts later than this before the window closes would arrive too late.
SEND_MARGIN = 0.5
log = logging.getLogger(__name__)

UNKNOWN_INTERACTION = 10062  # Discord's code for an expired (or unknown) interaction


# How long an observed age counts towards the clock offset: after a jump of the host clock
# (NTP stepping it, a VM resumed), the offset is right again within this many seconds.
OFFSET_MEMORY = 60.0


class ResponseWindow:
    """How old interactions are, by Discord's clock as far as ours can tell.

    The least age seen in the last minute (of ids arriving from the gateway) is taken as our
    clock's offset from Discord's: a host clock running seconds ahead would otherwise make
    every interaction look expired. Network latency hides in that offset, a few ms.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._monotonic = monotonic
        # (seen at, age) with ages rising: the front is the least age still remembered.
        self._least: deque[tuple[float, float]] = deque()

    def age(self, snowflake: int) -> float:
        """Seconds since Discord created this id (corrected for clock offset)."""
        raw = self._clock() - discord.utils.snowflake_time(snowflake).timestamp()
        now = self._monotonic()
        while self._least and self._least[-1][1] >= raw:
            self._least.pop()
        self._least.append((now, raw))
        while self._least[0][0] < now - OFFSET_MEMORY:
            self._least.popleft()
        return raw - self._least[0][1]

    def shed(self, snowflake: int, stage: str) -> bool:
        """Whether a response started now would miss Discord's window; if so, say so in one
        short line (`stage`: where it was found late)."""
        age = self.age(snowflake)
        if age <= RESPONSE_WINDOW - SEND_MARGIN:
            return False
        log.warning(
            "interaction %s dropped %s: %.1f s old, too late to answer", snowflake, stage, age
        )
        return True


def is_lost_interaction(error: BaseException) -> bool:
    """Discord no longer knows the interaction (its window closed): nothing can answer it."""
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION
