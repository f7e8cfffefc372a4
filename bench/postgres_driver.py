"""Which PostgreSQL driver the store uses, chosen by measurement: asyncpg against psycopg 3
(async, with its pool), on the statements the store runs most, against a real local server.

Run by hand: `.venv/bin/python -m bench.postgres_driver` (psycopg is a development
dependency only, for this comparison).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import asyncpg
from psycopg_pool import AsyncConnectionPool

from tests.postgres_server import find_binaries, postgres_server

SCHEMA = """
CREATE TABLE usage_count (day TEXT, guild_id BIGINT, outcome TEXT, count BIGINT,
                          PRIMARY KEY (day, guild_id, outcome));
CREATE TABLE answer_vote (guild_id BIGINT, fact_id TEXT, voter TEXT, vote INTEGER,
                          voted_at DOUBLE PRECISION, PRIMARY KEY (guild_id, fact_id, voter));
"""
COUNT = "INSERT INTO usage_count VALUES ($1, $2, $3, 1) ON CONFLICT (day, guild_id, outcome) \
DO UPDATE SET count = usage_count.count + 1"
VOTE = "INSERT INTO answer_vote VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild_id, fact_id, voter) \
DO UPDATE SET vote = excluded.vote"
TOTALS = "SELECT outcome, SUM(count) FROM usage_count WHERE guild_id = $1 GROUP BY outcome"
ROUNDS = 2000
CONCURRENT = 100


async def timed(label: str, step: Callable[[int], Awaitable[object]]) -> None:
    """Sequential latency (p50, p99), then throughput with 100 callers at once."""
    samples = []
    for i in range(ROUNDS):
        start = time.perf_counter()
        await step(i)
        samples.append(time.perf_counter() - start)
    samples.sort()
    start = time.perf_counter()
    await asyncio.gather(*(step(i) for i in range(ROUNDS)))
    rate = ROUNDS / (time.perf_counter() - start)
    print(
        f"{label:34} p50 {statistics.median(samples) * 1000:.3f} ms  "
        f"p99 {samples[int(len(samples) * 0.99)] * 1000:.3f} ms  {rate:,.0f}/s at {CONCURRENT}"
    )


async def with_asyncpg(url: str) -> None:
    pool = await asyncpg.create_pool(url, min_size=10, max_size=10)
    await pool.execute(SCHEMA)

    async def count(i: int) -> object:
        return await pool.execute(COUNT, "2026-11-30", i % 50, "answer")

    async def vote(i: int) -> object:
        return await pool.execute(VOTE, i % 50, f"f{i % 40}", f"v{i}", 1, time.time())

    async def totals(i: int) -> object:
        return await pool.fetch(TOTALS, i % 50)

    for label, step in (("count", count), ("vote", vote), ("totals", totals)):
        await timed(f"asyncpg {label}", step)
    await pool.close()


async def with_psycopg(url: str) -> None:

    def pg(sql: str) -> str:
        return sql.replace("$1", "%s").replace("$2", "%s").replace("$3", "%s") \
            .replace("$4", "%s").replace("$5", "%s")  # fmt: skip

    pool = AsyncConnectionPool(url, min_size=10, max_size=10, open=False)
    await pool.open(wait=True, timeout=10)
    async with pool.connection() as conn:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                await conn.execute(statement)

    async def count(i: int) -> object:
        async with pool.connection() as conn:
            return await conn.execute(pg(COUNT), ("2026-11-30", i % 50, "answer"))

    async def vote(i: int) -> object:
        async with pool.connection() as conn:
            return await conn.execute(pg(VOTE), (i % 50, f"f{i % 40}", f"w{i}", 1, time.time()))

    async def totals(i: int) -> object:
        async with pool.connection() as conn:
            cursor = await conn.execute(pg(TOTALS), (i % 50,))
            return await cursor.fetchall()

    for label, step in (("count", count), ("vote", vote), ("totals", totals)):
        await timed(f"psycopg {label}", step)
    await pool.close()


def main() -> None:
    bin_dir = find_binaries()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL server binaries (initdb, pg_ctl) found")
    with postgres_server(bin_dir) as server:
        asyncio.run(with_asyncpg(server.create_database("bench_asyncpg")))
        asyncio.run(with_psycopg(server.create_database("bench_psycopg")))


if __name__ == "__main__":
    main()
