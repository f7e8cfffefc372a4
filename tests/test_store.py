"""The SQLite store, on real files: migrations, persistence, and files it cannot use."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from bot.store import MIGRATIONS, LoggedQuestion, Store, StoreError
from tests.conftest import ROOT


async def test_a_new_file_is_migrated_to_the_latest_schema(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "sub" / "trivia.sqlite3") as store:
        assert await store.schema_version() == len(MIGRATIONS)
    mode = sqlite3.connect(tmp_path / "sub" / "trivia.sqlite3").execute("PRAGMA journal_mode")
    assert mode.fetchone()[0] == "wal"


async def test_listening_channels_persist_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    async with await Store.open(path) as store:
        assert await store.listen(1, 10)
        assert not await store.listen(1, 10)
        assert await store.listen(1, 11)
        assert await store.listen(2, 20)
        assert await store.unlisten(11)
        assert not await store.unlisten(11)
    async with await Store.open(path) as store:
        assert await store.listening_channels(1) == [10]
        assert await store.listening_channels(2) == [20]
        assert store.is_listening(10) and not store.is_listening(11)


async def test_meta_values_replace_earlier_ones(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "t.sqlite3") as store:
        assert await store.get_meta("k") is None
        await store.set_meta("k", "a")
        await store.set_meta("k", "b")
        assert await store.get_meta("k") == "b"


async def test_a_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"trivia\.sqlite3"):
        await Store.open(path)


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this bot"):
        await Store.open(path)


async def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot"):
        await Store.open(blocker / "trivia.sqlite3")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
async def test_a_read_only_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o444)
    with pytest.raises(StoreError):
        await Store.open(path)


async def test_a_locked_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    async with await Store.open(path):
        pass
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            await Store.open(path, busy_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def question(at: float, guild: int | None, text: str, outcome: str = "decline") -> LoggedQuestion:
    return LoggedQuestion(at, guild, 7, text, outcome, 0.3)


async def test_a_version_1_file_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute("INSERT INTO listening_channel VALUES (1, 10, 0)")
        db.execute("PRAGMA user_version = 1")
    async with await Store.open(path) as store:
        assert await store.schema_version() == len(MIGRATIONS)
        assert await store.listening_channels(1) == [10]


async def test_questions_are_counted_and_kept_only_when_asked(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "t.sqlite3") as store:
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
        assert [q.text for q in await store.logged_questions(2, 0)] == ["old one"]
        assert await store.purge_questions(now - 86400) == 1
        assert await store.forget_guild(1) == 1
        assert [q.text for q in await store.logged_questions(None, 0)] == ["dm question"]
        assert await store.usage_totals(None) == {"decline": 3, "answer": 1}  # counts stay
    columns = sqlite3.connect(tmp_path / "t.sqlite3").execute("PRAGMA table_info(question_log)")
    assert not {c[1] for c in columns} & {"user_id", "author_id", "user"}


async def test_one_vote_per_user_per_answer_which_can_change(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "t.sqlite3") as store:
        alice, bob = await store.voter_key(111), await store.voter_key(222)
        assert alice == await store.voter_key(111) and alice != bob and "111" not in alice
        assert await store.record_vote(500, alice, 1, "cast.a", 1) is None
        assert await store.record_vote(500, alice, 1, "cast.a", -1) == 1
        assert await store.record_vote(500, bob, 1, "cast.a", -1) is None
        assert await store.record_vote(501, alice, 2, "cast.b", 1) is None
        assert await store.vote_totals(None) == {"cast.a": (0, 2), "cast.b": (1, 0)}
        assert await store.vote_totals(2) == {"cast.b": (1, 0)}


WRITER = """
import asyncio, sys, time
from pathlib import Path
from bot.store import LoggedQuestion, Store

async def main() -> None:
    store = await Store.open(Path(sys.argv[1]))
    for i in range(100_000):
        entry = LoggedQuestion(time.time(), 1, 2, f"question {i}", "decline", 0.1)
        await store.record_question(entry, keep_text=True)
        print(i, flush=True)  # acknowledged: committed

asyncio.run(main())
"""


async def test_a_killed_writer_loses_nothing_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRITER, str(path), cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    acknowledged = -1
    while acknowledged < 300:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        acknowledged = int(line)
    process.send_signal(signal.SIGKILL)  # mid-write: it never stops writing on its own
    await process.wait()
    check = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()
    assert check == ("ok",)
    async with await Store.open(path) as store:
        kept = await store.logged_questions(1, 0)
        assert len(kept) >= acknowledged + 1
        assert [q.text for q in kept[: acknowledged + 1]] == [
            f"question {i}" for i in range(acknowledged + 1)
        ]


async def test_two_processes_migrating_a_new_file_at_once_both_start(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    first, second = await asyncio.gather(Store.open(path), Store.open(path))
    try:
        assert await first.schema_version() == await second.schema_version() == len(MIGRATIONS)
    finally:
        await first.close()
        await second.close()


async def test_a_failed_write_rolls_back_and_spoils_no_other(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "t.sqlite3") as store:
        good = [
            store.record_question(question(time.time(), 1, f"q{i}"), keep_text=True)
            for i in range(20)
        ]
        bad = store.record_question(
            LoggedQuestion(time.time(), 1, 7, None, "suggest", 0.5),  # type: ignore[arg-type]
            keep_text=True,
        )
        results = await asyncio.gather(*good, bad, return_exceptions=True)
        assert isinstance(results[-1], sqlite3.IntegrityError)
        assert await store.usage_totals(1) == {"decline": 20}  # the bad count rolled back
        assert len(await store.logged_questions(1, 0)) == 20


async def test_confirmations_are_kept_once_per_person_and_go_with_their_question(
    tmp_path: Path,
) -> None:
    async with await Store.open(tmp_path / "trivia.sqlite3") as store:
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


async def test_questions_queued_when_the_store_closes_are_all_on_disk(tmp_path: Path) -> None:
    """Writes are batched; closing (as on SIGTERM) flushes them: each one acknowledged."""
    path = tmp_path / "trivia.sqlite3"
    store = await Store.open(path)
    now = time.time()
    writes = [
        asyncio.create_task(store.record_question(question(now, 1, f"q{i}"), keep_text=i % 2 == 0))
        for i in range(300)
    ]
    await asyncio.sleep(0)  # every write is queued; none has been committed yet
    await store.close()
    ids = await asyncio.gather(*writes)
    with sqlite3.connect(path) as db:
        kept = db.execute("SELECT id, text FROM question_log ORDER BY id").fetchall()
        counted = db.execute("SELECT SUM(count) FROM usage_count").fetchone()[0]
    assert counted == 300
    assert kept == [(ids[i], f"q{i}") for i in range(0, 300, 2)]
    assert ids[1::2] == [None] * 150
