"""Interaction ages read from their ids, on clocks the test moves."""

from __future__ import annotations

import datetime

import discord

from bot.discord_adapter.deadline import OFFSET_MEMORY, ResponseWindow


class Clocks:
    """Discord's clock, the host's wall clock (which may jump) and its monotonic clock."""

    def __init__(self) -> None:
        self.discord = 1_800_000_000.0
        self.host_ahead = 4.0  # a host clock running ahead of Discord's
        self.monotonic = 100.0

    def wall(self) -> float:
        return self.discord + self.host_ahead

    def created_now(self) -> int:
        at = datetime.datetime.fromtimestamp(self.discord, datetime.UTC)
        return discord.utils.time_snowflake(at)

    def advance(self, seconds: float) -> None:
        self.discord += seconds
        self.monotonic += seconds


def test_a_host_clock_ahead_does_not_make_fresh_interactions_late() -> None:
    clocks = Clocks()
    window = ResponseWindow(clocks.wall, lambda: clocks.monotonic)
    for _ in range(5):
        assert not window.shed(clocks.created_now(), "on arrival")
        clocks.advance(1.0)
    stale = clocks.created_now()
    clocks.advance(3.0)
    assert window.shed(stale, "on arrival")


def test_after_the_host_clock_jumps_ahead_fresh_interactions_are_answered_again() -> None:
    clocks = Clocks()
    window = ResponseWindow(clocks.wall, lambda: clocks.monotonic)
    assert not window.shed(clocks.created_now(), "on arrival")
    clocks.host_ahead += 10.0  # NTP steps the host clock; Discord's ids do not change
    clocks.advance(1.0)
    late_after_jump = window.shed(clocks.created_now(), "on arrival")
    clocks.advance(OFFSET_MEMORY + 1.0)
    assert late_after_jump  # within the memory, the jump still reads as lateness
    for _ in range(3):
        assert not window.shed(clocks.created_now(), "on arrival")
        clocks.advance(1.0)
