"""The bot's state in one SQLite file (aiosqlite): channels that listen, and small metadata.

Schema changes are numbered migrations applied at start-up; `PRAGMA user_version` records
how far a file has come. Later features add migrations; they never edit old ones.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from types import TracebackType

import aiosqlite

__all__ = ["MIGRATIONS", "Store", "StoreError"]

log = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE listening_channel (
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER NOT NULL PRIMARY KEY,
        added_at   REAL    NOT NULL
    );
    CREATE INDEX listening_channel_guild ON listening_channel (guild_id);
    CREATE TABLE meta (
        key   TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
)


class StoreError(Exception):
    """The database cannot be opened or used (corrupt, locked, read-only, newer schema)."""


class Store:
    """Async access to the state database. Open with `await Store.open(path)`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._listening: set[int] = set()

    @classmethod
    async def open(cls, path: Path, *, busy_timeout: float = 5.0) -> Store:
        """Open (creating if needed), migrate and check that the database takes writes;
        StoreError if it cannot, so problems show at start-up, not mid-conversation."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = await aiosqlite.connect(path, timeout=busy_timeout)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        store = cls(connection, path)
        try:
            await store._prepare()
        except (OSError, sqlite3.Error) as exc:
            await connection.close()
            raise StoreError(f"cannot use database {path}: {exc}") from exc
        except StoreError:
            await connection.close()
            raise
        return store

    async def _prepare(self) -> None:
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):
            raise StoreError(
                f"database {self.path} has schema {version}, newer than this bot "
                f"({len(MIGRATIONS)}); upgrade the bot"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first; the version bump rides in the same script.
            await self._db.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
            log.info("database %s migrated to schema %d", self.path, number)
        # A write lock taken and released: a locked or read-only file fails here.
        await self._db.execute("BEGIN IMMEDIATE")
        await self._db.execute("COMMIT")
        async with self._db.execute("SELECT channel_id FROM listening_channel") as cursor:
            self._listening = {int(row[0]) async for row in cursor}

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        await self._db.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def schema_version(self) -> int:
        """The migration number the file is at."""
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    # Listening channels --------------------------------------------------------------------

    def is_listening(self, channel_id: int) -> bool:
        """Whether free text in this channel may be answered (from memory: asked per message)."""
        return channel_id in self._listening

    async def listen(self, guild_id: int, channel_id: int) -> bool:
        """Opt a channel in; False if it already was."""
        cursor = await self._db.execute(
            "INSERT OR IGNORE INTO listening_channel (guild_id, channel_id, added_at) "
            "VALUES (?, ?, ?)",
            (guild_id, channel_id, time.time()),
        )
        await self._db.commit()
        self._listening.add(channel_id)
        return cursor.rowcount > 0

    async def unlisten(self, channel_id: int) -> bool:
        """Opt a channel out; False if it was not listening."""
        cursor = await self._db.execute(
            "DELETE FROM listening_channel WHERE channel_id = ?", (channel_id,)
        )
        await self._db.commit()
        self._listening.discard(channel_id)
        return cursor.rowcount > 0

    async def listening_channels(self, guild_id: int) -> list[int]:
        """A server's listening channels, oldest first."""
        async with self._db.execute(
            "SELECT channel_id FROM listening_channel WHERE guild_id = ? ORDER BY added_at",
            (guild_id,),
        ) as cursor:
            return [int(row[0]) async for row in cursor]

    # Metadata ------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        """A stored value (such as the hash of the last command sync), or None."""
        async with self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def set_meta(self, key: str, value: str) -> None:
        """Store a value, replacing any earlier one."""
        await self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        await self._db.commit()
