"""Interaction load: the real bot process answering /ask from the loopback stand-in.

Run by hand: `.venv/bin/python -m bench.interaction_load`. For concurrency 1, 10 and 100 it
dispatches /ask interactions (dev-set questions, each from its own member so the per-user
limit never applies) and measures from dispatch to the bot's callback arriving at the
stand-in: p50, p99, max, errors, and how many missed Discord's 3-second window.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bot.matching.evaluation import load_question_set
from tests.conftest import FACTS_DIR, ROOT
from tests.e2e.conftest import start_bot
from tests.e2e.standin import DiscordStandIn

LEVELS = ((1, 100), (10, 300), (100, 600))  # (concurrency, interactions)
WINDOW = 3.0
_FIRST_USER = 1_300_000_000_000_100_000


async def _one(standin: DiscordStandIn, question: str, user: int) -> float | None:
    """Seconds from dispatch to callback, or None on an error."""
    started = time.monotonic()
    try:
        result = await standin.send_slash_command("ask", {"question": question}, member=user)
        callback = await result.response(timeout=10)
    except Exception:  # a bench counts failures, whatever they are
        return None
    return callback.recorded.at - started


async def _level(
    standin: DiscordStandIn, questions: list[str], users: list[int], concurrency: int, total: int
) -> list[float | None]:
    gate = asyncio.Semaphore(concurrency)

    async def run(i: int) -> float | None:
        async with gate:
            return await _one(standin, questions[i % len(questions)], users[i])

    return list(await asyncio.gather(*(run(i) for i in range(total))))


def _report(concurrency: int, results: list[float | None]) -> str:
    times = sorted(t for t in results if t is not None)
    errors = len(results) - len(times)
    late = sum(t > WINDOW for t in times) + errors
    p50 = statistics.median(times) * 1000
    p99 = times[max(0, int(len(times) * 0.99) - 1)] * 1000
    return (
        f"concurrency {concurrency:>3}: {len(results)} interactions, p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {times[-1] * 1000:.1f} ms, errors {errors}, "
        f"missed the 3 s window {late}"
    )


def _full_facts(tmp: Path) -> Path:
    """The shipped facts with every example set: the bot answers as it would in service."""
    folder = tmp / "facts"
    shutil.copytree(FACTS_DIR, folder)
    return folder


async def main() -> None:
    """Start the stand-in and the bot, then run each level."""
    examples = load_question_set(ROOT / "facts" / "examples" / "dev.yaml")
    questions = [q.q for q in examples if q.expect]
    total = sum(n for _, n in LEVELS)
    users = list(range(_FIRST_USER, _FIRST_USER + total))
    async with DiscordStandIn(heartbeat_interval_ms=5000) as standin:
        for user in users:
            standin.add_member(user, f"load{user % 100_000}")
        with tempfile.TemporaryDirectory() as tmp:
            bot = await start_bot(standin, _full_facts(Path(tmp)), Path(tmp) / "data")
            try:
                offset = 0
                for concurrency, count in LEVELS:
                    results = await _level(
                        standin, questions, users[offset : offset + count], concurrency, count
                    )
                    offset += count
                    print(_report(concurrency, results), flush=True)
            finally:
                await bot.stop()


if __name__ == "__main__":
    asyncio.run(main())
