"""The SQLite store's own cases, on real files: migrating older files, WAL, and files it
cannot use (the behaviour both backends share is in test_store.py)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.store import (
    MIGRATIONS,
    SALT_MOVED_OUT,
    VOTER_SALT_FILE,
    LoggedQuestion,
    SqliteStore,
    StoreError,
)
from tests.conftest import ROOT, unprivileged

NOBODY = 65534  # uid and gid


async def test_a_new_file_is_migrated_to_the_latest_schema(tmp_path: Path) -> None:
    async with await SqliteStore.open(tmp_path / "sub" / "trivia.sqlite3") as store:
        assert await store.schema_version() == len(MIGRATIONS)
    mode = sqlite3.connect(tmp_path / "sub" / "trivia.sqlite3").execute("PRAGMA journal_mode")
    assert mode.fetchone()[0] == "wal"


async def test_a_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"trivia\.sqlite3"):
        await SqliteStore.open(path)


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this bot"):
        await SqliteStore.open(path)


async def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot"):
        await SqliteStore.open(blocker / "trivia.sqlite3")


OPENER = """
import asyncio, sys
from pathlib import Path
from bot.store import SqliteStore, StoreError

async def main() -> None:
    try:
        store = await SqliteStore.open(Path(sys.argv[1]))
    except StoreError as exc:
        print(exc)
        return
    await store.close()
    print("opened")

asyncio.run(main())
"""


def run_unprivileged(script: str, path: Path) -> str:
    """What a script says about a database in a process that file permissions bind."""
    argv = unprivileged([sys.executable, "-c", script, str(path)])
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.strip()


async def migrated_database(path: Path) -> None:
    """A database the bot has used: migrated, with a listening channel in it."""
    async with await SqliteStore.open(path) as store:
        await store.listen(1, 10)


async def test_a_read_only_or_foreign_owned_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    await migrated_database(path)
    path.chmod(0o444)
    refusal = (
        f"database {path} is read-only for this user "
        "(check the owner and permissions of the file and its folder)"
    )
    assert run_unprivileged(OPENER, path) == refusal
    if os.geteuid() == 0:  # someone else's file, writable only by them
        path.chmod(0o644)
        os.chown(path, NOBODY, NOBODY)
        assert run_unprivileged(OPENER, path) == refusal


async def test_a_locked_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    async with await SqliteStore.open(path):
        pass
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            await SqliteStore.open(path, busy_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def question(at: float, guild: int | None, text: str, outcome: str = "decline") -> LoggedQuestion:
    return LoggedQuestion(at, guild, 7, text, outcome, 0.3)


async def test_a_version_1_file_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0].sqlite)
        db.execute("INSERT INTO listening_channel VALUES (1, 10, 0)")
        db.execute("PRAGMA user_version = 1")
    async with await SqliteStore.open(path) as store:
        assert await store.schema_version() == len(MIGRATIONS)
        assert await store.listening_channels(1) == [10]


async def test_votes_per_message_become_one_per_fact_keeping_the_latest(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    with sqlite3.connect(path) as db:
        for migration in MIGRATIONS[:3]:
            db.executescript(migration.sqlite)
        db.executemany(
            "INSERT INTO answer_vote VALUES (?, ?, 1, 'cast.a', ?, ?)",
            [
                (500, "alice", 1, 10.0),
                (501, "alice", -1, 20.0),
                (502, "alice", 1, 15.0),
                (500, "bob", 1, 5.0),
            ],
        )
        db.execute("PRAGMA user_version = 3")
    async with await SqliteStore.open(path) as store:
        assert await store.vote_totals(None) == {"cast.a": (1, 1)}  # alice's latest: 👎
        assert await store.record_vote("alice", 1, "cast.a", 1) == -1


@pytest.mark.parametrize("deleted", ["trivia.sqlite3", "trivia.sqlite3*", "the folder"])
async def test_a_database_deleted_while_open_is_recreated_with_its_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, deleted: str
) -> None:
    folder = tmp_path / "data"
    path = folder / "trivia.sqlite3"
    async with await SqliteStore.open(path) as store:
        await store.listen(1, 10)
        await store.record_question(question(time.time(), 1, "before"), keep_text=True)
        key = await store.voter_key(111)
        if deleted == "the folder":
            shutil.rmtree(folder)
        else:
            for file in folder.glob(deleted):
                file.unlink()
        with caplog.at_level(logging.WARNING, logger="bot.store"):
            await store.record_question(question(time.time(), 1, "after"), keep_text=True)
        assert f"database {path} was deleted" in caplog.text
        await store.record_question(question(time.time(), 1, "later"), keep_text=True)
    async with await SqliteStore.open(path) as store:
        assert [q.text for q in await store.logged_questions(1, 0)] == ["before", "after", "later"]
        assert await store.listening_channels(1) == [10]
        assert await store.voter_key(111) == key
    assert caplog.text.count("was deleted") == 1


async def test_a_database_replaced_while_open_is_reopened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "trivia.sqlite3"
    await migrated_database(tmp_path / "restored.sqlite3")
    async with await SqliteStore.open(path) as store:
        await store.listen(2, 20)
        (tmp_path / "restored.sqlite3").replace(path)  # an operator restores a backup
        with caplog.at_level(logging.WARNING, logger="bot.store"):
            await store.record_question(question(time.time(), 1, "after"), keep_text=True)
        assert f"database {path} was replaced" in caplog.text
        assert store.is_listening(10) and not store.is_listening(20)
    async with await SqliteStore.open(path) as store:  # the old file's pages stayed out of it
        assert [q.text for q in await store.logged_questions(1, 0)] == ["after"]
        assert await store.listening_channels(2) == []
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_a_replacement_it_cannot_use_is_never_written_until_a_good_one_comes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "trivia.sqlite3"
    newer, good = tmp_path / "newer.sqlite3", tmp_path / "good.sqlite3"
    await migrated_database(newer)
    await migrated_database(good)
    db = sqlite3.connect(newer)  # as a newer bot would leave the same tables
    db.execute("PRAGMA user_version = 99")
    db.close()
    async with await SqliteStore.open(path) as store:
        key = await store.voter_key(111)
        newer.replace(path)
        for _ in range(3):
            with pytest.raises(StoreError):
                await store.record_vote(key, 1, "cast.a", 1)
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT COUNT(*) FROM answer_vote").fetchone() == (0,)
            assert db.execute("PRAGMA user_version").fetchone() == (99,)
        good.replace(path)  # the operator puts a usable file back
        assert await store.record_vote(key, 1, "cast.a", 1) is None
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM answer_vote").fetchone() == (1,)


# The voter salt: kept apart from the votes ---------------------------------------------------


def salt_file(folder: Path) -> Path:
    return folder / VOTER_SALT_FILE


def old_key(salt: str, user_id: int) -> str:
    """A voter key as every version of the store has made it."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:32]


async def test_the_voter_salt_is_a_private_file_not_in_the_database(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    async with await SqliteStore.open(path) as store:
        key = await store.voter_key(111)
        await store.record_vote(key, 1, "cast.a", 1)
    salt = salt_file(tmp_path).read_text(encoding="utf-8").strip()
    assert len(salt) >= 32 and key == old_key(salt, 111)
    assert stat.S_IMODE(salt_file(tmp_path).stat().st_mode) == 0o600
    assert salt.encode() not in path.read_bytes()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT key FROM meta WHERE key = 'voter_salt'").fetchall() == []
    async with await SqliteStore.open(path) as store:
        assert await store.voter_key(111) == key


async def test_an_older_database_moves_its_salt_out_and_votes_still_match(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    salt = "0123456789abcdef" * 2
    with sqlite3.connect(path) as db:
        for migration in MIGRATIONS[:3]:
            db.executescript(migration.sqlite)
        db.execute("INSERT INTO meta VALUES ('voter_salt', ?)", (salt,))
        db.execute(
            "INSERT INTO answer_vote VALUES (500, ?, 1, 'cast.a', 1, 0)", (old_key(salt, 111),)
        )
        db.execute("PRAGMA user_version = 3")
    async with await SqliteStore.open(path) as store:
        assert await store.schema_version() == len(MIGRATIONS) >= SALT_MOVED_OUT
        assert await store.voter_key(111) == old_key(salt, 111)
        assert await store.record_vote(await store.voter_key(111), 1, "cast.a", -1) == 1
    assert salt_file(tmp_path).read_text(encoding="utf-8").strip() == salt
    assert stat.S_IMODE(salt_file(tmp_path).stat().st_mode) == 0o600
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT key FROM meta WHERE key = 'voter_salt'").fetchall() == []


async def test_a_salt_from_the_settings_needs_no_file(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    async with await SqliteStore.open(path, voter_salt="s" * 32) as store:
        assert await store.voter_key(111) == old_key("s" * 32, 111)
    assert not salt_file(tmp_path).exists()


async def test_stores_opened_at_once_share_one_salt(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    stores = await asyncio.gather(*(SqliteStore.open(path) for _ in range(4)))
    try:
        assert len({await s.voter_key(111) for s in stores}) == 1
    finally:
        for store in stores:
            await store.close()


async def test_an_unreadable_salt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    salt_file(tmp_path).write_text("", encoding="utf-8")
    with pytest.raises(StoreError, match="voter salt"):
        await SqliteStore.open(path)


# Reading only (reports) ---------------------------------------------------------------------

READER = """
import asyncio, sys
from pathlib import Path
from bot.store import SqliteStore, StoreError

async def main() -> None:
    try:
        async with await SqliteStore.open_read_only(Path(sys.argv[1])) as store:
            print([q.text for q in await store.logged_questions(None, 0)])
    except StoreError as exc:
        print(exc)

asyncio.run(main())
"""


async def test_reading_only_works_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = folder / "trivia.sqlite3"
    async with await SqliteStore.open(path) as store:
        await store.record_question(question(time.time(), 1, "kept"), keep_text=True)
    before = sorted(p.name for p in folder.iterdir())
    folder.chmod(0o555)
    try:
        assert run_unprivileged(READER, path) == "['kept']"
        async with await SqliteStore.open(path) as writer:  # a bot still writing: its -wal is read
            folder.chmod(0o755)
            await writer.record_question(question(time.time(), 1, "new"), keep_text=True)
            folder.chmod(0o555)
            assert run_unprivileged(READER, path) == "['kept', 'new']"
    finally:
        folder.chmod(0o755)
    assert sorted(p.name for p in folder.iterdir()) == before
    assert run_unprivileged(READER, path) == "['kept', 'new']"  # a folder it can write:
    assert sorted(p.name for p in folder.iterdir()) == before  # it leaves nothing there


async def test_reading_only_never_migrates(tmp_path: Path) -> None:
    path = tmp_path / "trivia.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0].sqlite)
        db.execute("PRAGMA user_version = 1")
    with pytest.raises(StoreError, match="older than this bot"):
        await SqliteStore.open_read_only(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (1,)
