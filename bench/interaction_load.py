"""Interaction load: the real bot process answering /ask from the loopback stand-in.

Run by hand: `.venv/bin/python -m bench.interaction_load [--bursts N] [--processes 2]
[--store postgres]`. For concurrency 1, 10 and 100 it dispatches /ask interactions (dev-set
questions, each from its own member so the per-user limit never applies; every other one in
a DM), then N bursts of 1,000 at once, and measures from dispatch to
the answer arriving at the stand-in (the callback, or the follow-up after a deferral): p50,
p99 and max of those answered, how many missed Discord's 3-second window (no accepted
callback), how many callbacks were attempted twice, and what the bot logged meanwhile.

With `--processes 2` two bot processes serve shards 0 and 1 of 2: the guild is put on shard
1, so its interactions reach one process and the DMs (shard 0's) the other. `--store
postgres` starts a local PostgreSQL server and gives each process a data folder of its own,
as on two hosts; with SQLite they share one file, as on one host.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.matching.evaluation import load_question_set
from tests.conftest import FACTS_DIR, ROOT
from tests.e2e.conftest import BotProcess, start_bot
from tests.e2e.standin import GUILD_ID, DiscordStandIn, InteractionResult
from tests.postgres_server import find_binaries, postgres_server

LEVELS = ((1, 100), (10, 300), (100, 600))  # (concurrency, interactions)
BURST = 1000  # interactions at once
WINDOW = 3.0
CALLBACK_ROUTE = "POST /interactions/{interaction_id}/{token}/callback"
_FIRST_USER = 1_300_000_000_000_100_000
_SALT = "bench-voter-salt-0123456789"


@dataclass(frozen=True)
class Outcome:
    """One interaction: seconds to its answer (None: never answered) and callback attempts."""

    seconds: float | None
    attempts: int


async def _answer_time(result: InteractionResult, started: float) -> float | None:
    """Seconds from dispatch to the answer: the callback's message, or the deferral's
    follow-up; None when the callback was refused or never came."""
    try:
        callback = await result.response(timeout=WINDOW + 2)
        if callback.type == 5:  # deferred: the answer is the first follow-up
            return (await result.followup(timeout=30)).at - started
    except Exception:  # a bench counts failures, whatever they are
        return None
    return callback.recorded.at - started


async def _one(standin: DiscordStandIn, question: str, user: int) -> tuple[int, float | None]:
    """The interaction's id and its answer time (None when it got no answer); every other
    user asks in a DM."""
    started = time.monotonic()
    result = await standin.send_slash_command(
        "ask", {"question": question}, member=user, guild=user % 2 == 1
    )
    return result.id, await _answer_time(result, started)


async def _level(
    standin: DiscordStandIn, questions: list[str], users: list[int], concurrency: int
) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)

    async def run(i: int) -> tuple[int, float | None]:
        async with gate:
            return await _one(standin, questions[i % len(questions)], users[i])

    finished = await asyncio.gather(*(run(i) for i in range(len(users))))
    await asyncio.sleep(1.0)  # let any second attempt arrive before counting
    attempts = _attempts(standin)
    return [Outcome(seconds, attempts.get(id_, 0)) for id_, seconds in finished]


def _attempts(standin: DiscordStandIn) -> dict[int, int]:
    counts: dict[int, int] = {}
    for item in standin.records:
        if item.route == CALLBACK_ROUTE:
            key = int(item.params["interaction_id"])
            counts[key] = counts.get(key, 0) + 1
    return counts


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _report(concurrency: int, outcomes: list[Outcome], log: str, cpu: float) -> str:
    times = sorted(o.seconds for o in outcomes if o.seconds is not None)
    missed = len(outcomes) - len(times)
    twice = sum(o.attempts > 1 for o in outcomes)
    p50 = statistics.median(times) * 1000 if times else float("nan")
    p99 = times[max(0, int(len(times) * 0.99) - 1)] * 1000 if times else float("nan")
    top = times[-1] * 1000 if times else float("nan")
    return (
        f"concurrency {concurrency:>4}: {len(outcomes)} interactions, p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {top:.1f} ms, missed the 3 s window {missed}, "
        f"second callbacks {twice}, log {len(log.encode())} bytes "
        f"({log.count('Traceback')} tracebacks), bot CPU {cpu:.2f} s"
    )


def _full_facts(tmp: Path) -> Path:
    """The shipped facts with every example set: the bot answers as it would in service."""
    folder = tmp / "facts"
    shutil.copytree(FACTS_DIR, folder)
    return folder


async def _run_levels(
    standin: DiscordStandIn, bots: list[BotProcess], plan: list[tuple[int, int]], users: list[int]
) -> None:
    examples = load_question_set(ROOT / "facts" / "examples" / "dev.yaml")
    questions = [q.q for q in examples if q.expect]
    offset = 0
    for concurrency, count in plan:
        logged = [len(bot.log()) for bot in bots]
        cpu = sum(_cpu_seconds(bot.process.pid) for bot in bots)
        outcomes = await _level(standin, questions, users[offset : offset + count], concurrency)
        offset += count
        cpu = sum(_cpu_seconds(bot.process.pid) for bot in bots) - cpu
        log = "".join(bot.log()[start:] for bot, start in zip(bots, logged, strict=True))
        print(_report(concurrency, outcomes, log, cpu), flush=True)


async def _start(
    standin: DiscordStandIn, tmp: Path, processes: int, url: str | None
) -> list[BotProcess]:
    """One process for every shard, or two (shards 0 and 1 of 2)."""
    facts = _full_facts(tmp)
    store = {"TRIVIA_VOTER_SALT": _SALT} | ({"TRIVIA_DATABASE_URL": url} if url else {})
    if processes == 1:
        bot = await start_bot(standin, facts, tmp / "data", settings=store)
        await standin.wait_until_identified(timeout=60, count=2)  # its second shard too
        return [bot]
    return [
        await start_bot(
            standin,
            facts,
            tmp / ("data" if url is None else f"host{shard}"),  # SQLite: one host's file
            probe_in_guild=shard == 1,
            TRIVIA_SHARD_COUNT="2",
            TRIVIA_SHARD_IDS=str(shard),
            settings=store,
        )
        for shard in (0, 1)
    ]


async def main(bursts: int, processes: int, url: str | None) -> None:
    """Start the stand-in and the bots, then run each level and the bursts."""
    plan = [*LEVELS, *[(BURST, BURST)] * bursts]
    total = sum(n for _, n in plan)
    users = list(range(_FIRST_USER, _FIRST_USER + total))
    guild_id = GUILD_ID + (1 << 22)  # on shard 1 of 2
    async with DiscordStandIn(heartbeat_interval_ms=5000, guild_id=guild_id, shards=2) as standin:
        for user in users:
            standin.add_member(user, f"load{user % 100_000}")
        with tempfile.TemporaryDirectory() as tmp:
            bots = await _start(standin, Path(tmp), processes, url)
            try:
                await _run_levels(standin, bots, plan, users)
            finally:
                await asyncio.gather(*(bot.stop() for bot in bots))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bursts", type=int, default=3, help="bursts of 1,000 at once")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    if args.store == "sqlite":
        asyncio.run(main(args.bursts, args.processes, None))
    else:
        bin_dir = find_binaries()
        if bin_dir is None:
            raise SystemExit("no PostgreSQL server binaries (initdb, pg_ctl) found")
        with postgres_server(bin_dir) as server:
            asyncio.run(main(args.bursts, args.processes, server.create_database("bench")))
