"""The SQLite store, on real files: migrations, persistence, and files it cannot use."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from bot.store import MIGRATIONS, Store, StoreError


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
