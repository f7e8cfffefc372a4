"""The store's behaviour, the same on both backends (`spot` is a SQLite file, then a
PostgreSQL database of a real server)."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

from bot.store import (
    MIGRATIONS,
    STORE_FAILURES,
    LoggedQuestion,
    ProcessRecord,
    ReloadAnswer,
)
from tests.conftest import ROOT
from tests.store.conftest import StoreSpot


def question(
    asked_at: float, guild: int | None, text: str, outcome: str = "decline"
) -> LoggedQuestion:
    return LoggedQuestion(asked_at, guild, 7 if guild else None, text, outcome, 0.1)


async def test_a_new_store_is_migrated_to_the_latest_schema(spot: StoreSpot) -> None:
    async with await spot.open() as store:
        assert await store.schema_version() == len(MIGRATIONS)


async def test_listening_channels_persist_across_reopening(spot: StoreSpot) -> None:
    big = 1_300_000_000_000_000_111  # Discord ids need 64 bits
    async with await spot.open() as store:
        assert await store.listen(1, 10)
        assert not await store.listen(1, 10)
        assert await store.listen(1, 11)
        assert await store.listen(big, big + 1)
        assert await store.unlisten(11)
        assert not await store.unlisten(11)
    async with await spot.open() as store:
        assert await store.listening_channels(1) == [10]
        assert await store.listening_channels(big) == [big + 1]
        assert store.is_listening(10) and store.is_listening(big + 1)
        assert not store.is_listening(11)


async def test_meta_values_replace_earlier_ones(spot: StoreSpot) -> None:
    async with await spot.open() as store:
        assert await store.get_meta("k") is None
        await store.set_meta("k", "a")
        await store.set_meta("k", "b")
        assert await store.get_meta("k") == "b"


async def test_questions_are_counted_and_kept_only_when_asked(spot: StoreSpot) -> None:
    async with await spot.open() as store:
        now = time.time()
        await store.record_question(question(now, 1, "who plays the sister"), keep_text=True)
        await store.record_question(
            question(now, 1, "who plays ballard", "answer"), keep_text=False
        )
        await store.record_question(question(now, None, "dm question"), keep_text=True)
        await store.record_question(question(now - 10 * 86400, 2, "old one"), keep_text=True)
        assert await store.usage_totals(1) == {"decline": 1, "answer": 1}
        assert await store.usage_totals(None) == {"decline": 3, "answer": 1}
        recent = await store.logged_questions(None, now - 86400)
        assert [q.text for q in recent] == ["who plays the sister", "dm question"]
        assert recent[0].asked_at == now  # times keep their precision
        assert [q.text for q in await store.logged_questions(2, 0)] == ["old one"]
        assert await store.purge_questions(now - 86400) == 1
        assert await store.forget_guild(1) == 1
        assert [q.text for q in await store.logged_questions(None, 0)] == ["dm question"]
        assert await store.usage_totals(None) == {"decline": 3, "answer": 1}  # counts stay


async def test_one_vote_per_person_per_fact_in_a_server_which_can_change(spot: StoreSpot) -> None:
    async with await spot.open() as store:
        alice_id = 1_300_000_000_000_000_111  # an id's digits can't all turn up in a hash
        alice, bob = await store.voter_key(alice_id), await store.voter_key(222)
        assert alice == await store.voter_key(alice_id) and alice != bob
        assert str(alice_id) not in alice
        assert await store.record_vote(alice, 1, "cast.a", 1) is None
        assert await store.record_vote(alice, 1, "cast.a", 1) == 1  # another answer, same fact
        assert await store.record_vote(alice, 1, "cast.a", -1) == 1
        assert await store.record_vote(bob, 1, "cast.a", -1) is None
        assert await store.record_vote(alice, 2, "cast.b", 1) is None
        assert await store.vote_totals(None) == {"cast.a": (0, 2), "cast.b": (1, 0)}
        assert await store.vote_totals(2) == {"cast.b": (1, 0)}


async def test_a_failed_write_rolls_back_and_spoils_no_other(spot: StoreSpot) -> None:
    async with await spot.open() as store:
        good = [
            store.record_question(question(time.time(), 1, f"q{i}"), keep_text=True)
            for i in range(20)
        ]
        bad = store.record_question(
            LoggedQuestion(time.time(), 1, 7, None, "suggest", 0.5),  # type: ignore[arg-type]
            keep_text=True,
        )
        results = await asyncio.gather(*good, bad, return_exceptions=True)
        assert isinstance(results[-1], STORE_FAILURES)
        assert await store.usage_totals(1) == {"decline": 20}  # the bad count rolled back
        assert len(await store.logged_questions(1, 0)) == 20


async def test_confirmations_are_kept_once_per_person_and_go_with_their_question(
    spot: StoreSpot,
) -> None:
    async with await spot.open() as store:
        kept = await store.record_question(
            LoggedQuestion(time.time(), 1, 10, "whos the lead", "suggest", 0.4), keep_text=True
        )
        not_kept = await store.record_question(
            LoggedQuestion(time.time(), 1, 10, "who plays ballard", "answer", 0.99),
            keep_text=False,
        )
        assert kept is not None and not_kept is None
        alice, bob = await store.voter_key(1), await store.voter_key(2)
        assert await store.confirm(kept, "cast.ballard_actor", "click", alice)
        assert await store.confirm(kept, "cast.ballard_actor", "thumb", bob)
        await store.confirm(kept, "cast.ballard_actor", "thumb", alice)  # once per person
        assert not await store.confirm(kept + 99, "cast.ballard_actor", "click", alice)
        confirmed = await store.confirmations(1, 0)
        assert [(c.text, c.fact_id, c.count) for c in confirmed] == [
            ("whos the lead", "cast.ballard_actor", 2)
        ]
        assert await store.confirmations(2, 0) == []
        await store.forget_guild(1)  # the question goes, and its confirmations with it
        assert await store.confirmations(None, 0) == []


async def test_questions_queued_when_the_store_closes_are_all_written(spot: StoreSpot) -> None:
    """Writes are batched; closing (as on SIGTERM) flushes them: each one acknowledged, the
    kept ones with their own ids, in order."""
    store = await spot.open()
    now = time.time()
    writes = [
        asyncio.create_task(store.record_question(question(now, 1, f"q{i}"), keep_text=i % 2 == 0))
        for i in range(300)
    ]
    await asyncio.sleep(0)  # every write is queued; none has been committed yet
    await store.close()
    ids = await asyncio.gather(*writes)
    assert ids[1::2] == [None] * 150
    kept_ids = ids[0::2]
    assert all(isinstance(i, int) for i in kept_ids) and kept_ids == sorted(set(kept_ids))
    async with await spot.open() as store:
        assert await store.usage_totals(None) == {"decline": 300}
        kept = await store.logged_questions(1, 0)
        assert [q.text for q in kept] == [f"q{i}" for i in range(0, 300, 2)]
        assert await store.confirm(kept_ids[-1], "f.a", "click", "v")  # the id is its row's


async def test_two_stores_migrating_a_new_database_at_once_both_start(spot: StoreSpot) -> None:
    first, second = await asyncio.gather(spot.open(), spot.open())
    try:
        assert await first.schema_version() == await second.schema_version() == len(MIGRATIONS)
    finally:
        await first.close()
        await second.close()


WRITER = """
import asyncio, sys, time
from pathlib import Path
from bot.store import LoggedQuestion, PostgresStore, SqliteStore

async def main() -> None:
    where = sys.argv[1]
    if where.startswith("postgresql://"):
        store = await PostgresStore.open(where, pool_size=2, voter_salt="s" * 16)
    else:
        store = await SqliteStore.open(Path(where))
    for i in range(100_000):
        entry = LoggedQuestion(time.time(), 1, 2, f"question {i}", "decline", 0.1)
        await store.record_question(entry, keep_text=True)
        print(i, flush=True)  # acknowledged: committed

asyncio.run(main())
"""


async def test_a_killed_writer_loses_nothing_acknowledged(spot: StoreSpot) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WRITER,
        spot.url or str(spot.path),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    acknowledged = -1
    while acknowledged < 300:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        acknowledged = int(line)
    process.send_signal(signal.SIGKILL)  # mid-write: it never stops writing on its own
    await process.wait()
    async with await spot.open() as store:
        kept = await store.logged_questions(1, 0)
        assert len(kept) >= acknowledged + 1
        assert [q.text for q in kept[: acknowledged + 1]] == [
            f"question {i}" for i in range(acknowledged + 1)
        ]


async def test_processes_announce_themselves_and_answer_reload_requests(spot: StoreSpot) -> None:
    async with await spot.open() as store:
        now = time.time()
        here = ProcessRecord("h1:10", "h1", 10, "0 of 2", "aaa", now - 5, now)
        gone = ProcessRecord("h2:20", "h2", 20, "1 of 2", "bbb", now - 500, now - 200)
        await store.announce(here)
        await store.announce(gone)
        await store.announce(ProcessRecord("h1:10", "h1", 10, "0 of 2", "ccc", now - 5, now + 1))
        live = await store.processes(now - 90)
        assert [(p.name, p.facts_digest) for p in live] == [("h1:10", "ccc")]
        assert len(await store.processes(0)) == 2
        await store.retire("h2:20")
        assert [p.name for p in await store.processes(0)] == ["h1:10"]

        first = await store.request_reload("h1:10")
        second = await store.request_reload("an operator")
        assert second > first
        assert await store.pending_reloads(0, now - 1) == [first, second]
        assert await store.pending_reloads(first, now - 1) == [second]
        assert await store.pending_reloads(0, time.time() + 1) == []  # made before it started
        await store.answer_reload(first, ReloadAnswer("h1:10", True, "no fact changed", "ccc"))
        await store.answer_reload(first, ReloadAnswer("h3:30", False, "f.yaml:1: bad", "ddd"))
        answers = await store.reload_answers(first)
        assert [(a.process, a.ok) for a in answers] == [("h1:10", True), ("h3:30", False)]
        assert await store.reload_answers(second) == []


async def test_reading_only_reads_what_was_written(spot: StoreSpot) -> None:
    async with await spot.open() as store:
        await store.record_question(question(time.time(), 1, "kept"), keep_text=True)
    async with await spot.open_read_only() as reader:
        assert [q.text for q in await reader.logged_questions(None, 0)] == ["kept"]
        assert await reader.usage_totals(None) == {"decline": 1}
