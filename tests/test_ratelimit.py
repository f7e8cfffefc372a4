"""The per-user answer limit, on a clock the test moves."""

from __future__ import annotations

from bot.ratelimit import AnswerRateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_rate_answers_per_window_then_refuses() -> None:
    clock = Clock()
    limit = AnswerRateLimit(rate=5, per=30, clock=clock)
    assert [limit.allow(1) for _ in range(6)] == [True] * 5 + [False]
    assert limit.allow(2)  # another user has a window of their own
    assert limit.retry_after(1) == 30
    clock.now += 29.9
    assert not limit.allow(1)
    clock.now += 0.2
    assert limit.allow(1)
    assert limit.retry_after(3) == 0


def test_a_refused_answer_does_not_extend_the_wait() -> None:
    clock = Clock()
    limit = AnswerRateLimit(rate=1, per=10, clock=clock)
    assert limit.allow(1)
    clock.now += 5
    assert not limit.allow(1)
    clock.now += 5.1
    assert limit.allow(1)


def test_idle_users_are_forgotten() -> None:
    clock = Clock()
    limit = AnswerRateLimit(rate=1, per=1, clock=clock)
    for user in range(10_001):
        limit.allow(user)
    clock.now += 2
    limit.allow(20_000)
    assert len(limit._sent) < 10


def test_has_room_looks_without_using_the_allowance() -> None:
    now = [0.0]
    limit = AnswerRateLimit(rate=1, per=10, clock=lambda: now[0])
    assert limit.has_room(7) and limit.has_room(7)
    assert limit.allow(7)
    assert not limit.has_room(7)
    now[0] = 10.5
    assert limit.has_room(7)
