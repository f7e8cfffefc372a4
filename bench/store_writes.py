"""The cost of a question's writes on each store: a SQLite file and a local PostgreSQL
server, through the store itself (counts, kept text, batching).

Run by hand: `.venv/bin/python -m bench.store_writes`. For each backend: questions written
one after another (each awaited: the latency a kept question adds to its reply), then 1,000
at once (batched by the store's one writer: the throughput under a burst).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.store import LoggedQuestion, PostgresStore, SqliteStore, Store
from tests.postgres_server import find_binaries, postgres_server

SEQUENTIAL = 500
BURST = 1000
SALT = "bench-voter-salt-0123456789"


def _question(i: int) -> LoggedQuestion:
    return LoggedQuestion(time.time(), 1 + i % 20, 7, f"who plays the sister {i}", "decline", 0.2)


async def _measure(label: str, store: Store) -> None:
    for keep in (True, False):
        samples = []
        for i in range(SEQUENTIAL):
            start = time.perf_counter()
            await store.record_question(_question(i), keep_text=keep)
            samples.append(time.perf_counter() - start)
        samples.sort()
        start = time.perf_counter()
        await asyncio.gather(
            *(store.record_question(_question(i), keep_text=keep) for i in range(BURST))
        )
        burst = time.perf_counter() - start
        print(
            f"{label:10} {'kept' if keep else 'counted':7} one at a time: "
            f"p50 {statistics.median(samples) * 1000:.2f} ms, "
            f"p99 {samples[int(SEQUENTIAL * 0.99)] * 1000:.2f} ms; "
            f"{BURST:,} at once: {burst * 1000:.0f} ms ({BURST / burst:,.0f}/s)",
            flush=True,
        )


async def _sqlite() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with await SqliteStore.open(Path(tmp) / "trivia.sqlite3", voter_salt=SALT) as store:
            await _measure("SQLite", store)


async def _postgres(url: str) -> None:
    async with await PostgresStore.open(url, pool_size=10, voter_salt=SALT) as store:
        await _measure("PostgreSQL", store)


def main() -> None:
    asyncio.run(_sqlite())
    bin_dir = find_binaries()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL server binaries (initdb, pg_ctl) found")
    with postgres_server(bin_dir) as server:
        asyncio.run(_postgres(server.create_database("bench")))


if __name__ == "__main__":
    main()
