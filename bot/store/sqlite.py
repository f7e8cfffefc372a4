"""The store in one SQLite file (aiosqlite), the default: for one host, where processes
(shards) share the file in WAL mode and are reached by signals.

The voter salt is not in here (since migration 5): see `bot.voter_salt`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import astuple
from pathlib import Path

import aiosqlite

from bot.store.base import (
    PROCESS_GONE_AFTER,
    Confirmation,
    FleetEvent,
    LoggedQuestion,
    ProcessRecord,
    QueuedQuestion,
    ReloadAnswer,
    Store,
    StoreError,
)
from bot.store.migrations import MIGRATIONS, SALT_MOVED_OUT, schema_problem
from bot.voter_salt import VOTER_SALT_FILE, SaltError, new_salt, write_salt

__all__ = ["DATABASE_FILE", "SQLITE_FAILURES", "VOTER_SALT_FILE", "SqliteStore"]

log = logging.getLogger(__name__)

DATABASE_FILE = "trivia.sqlite3"  # in TRIVIA_DATA_DIR


# What a call can raise while the bot runs: SQLite's errors, the file system's, and
# ValueError from a connection closed while shutting down (with the store's own StoreError:
# the file was replaced by one it cannot use, read-only or of a newer schema).
SQLITE_FAILURES: tuple[type[Exception], ...] = (sqlite3.Error, OSError, ValueError)


class SqliteStore(Store):
    """The state in one SQLite file. Open with `await SqliteStore.open(path)`."""

    def __init__(
        self,
        connection: aiosqlite.Connection,
        path: Path,
        *,
        busy_timeout: float = 5.0,
        voter_salt: str | None = None,
    ) -> None:
        super().__init__(voter_salt or "")  # from the salt file if not set
        self._db = connection
        self.path = path
        self.description = str(path)
        self._busy_timeout = busy_timeout
        self._file = _identity(path)  # the file the connection has open
        self._refused: tuple[int, int] | None = None  # a replacement it could not use
        self._salt_file = None if voter_salt else path.parent / VOTER_SALT_FILE
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(
        cls, path: Path, *, busy_timeout: float = 5.0, voter_salt: str | None = None
    ) -> SqliteStore:
        """Open (creating if needed), migrate and check that the database takes writes;
        StoreError if it cannot, so problems show at start-up, not mid-conversation.
        `voter_salt` (a setting) stands in for the salt file beside the database."""
        connection = await _connect(path, busy_timeout)
        store = cls(connection, path, busy_timeout=busy_timeout, voter_salt=voter_salt)
        async with store._closed_on_failure():
            await store._prepare()
            if store._salt_file is not None:
                store._voter_salt = write_salt(store._salt_file, new_salt())
        return store

    @classmethod
    async def open_read_only(cls, path: Path) -> SqliteStore:
        """Open for reading only (reports): never migrated nor written, so a database in a
        folder this user cannot write is read all the same. StoreError unless it is at this
        bot's schema."""
        # A read-only reader of a WAL database needs its -wal and -shm files, and makes them
        # if it can (left behind, owned by whoever reported). With no -wal file, no bot has
        # the database open (the last to close checkpoints and removes it): read the file
        # as it stands (immutable), making nothing. With one, share the running bot's.
        immutable = not _wal(path).exists()
        uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
        store = cls(await _connect(path, 5.0, uri=uri), path)
        async with store._closed_on_failure():
            version = await store.schema_version()
            if version != len(MIGRATIONS):
                remedy = "start the bot once to migrate it"
                raise StoreError(schema_problem(f"database {path}", version, remedy))
        return store

    @contextlib.asynccontextmanager
    async def _closed_on_failure(self) -> AsyncIterator[None]:
        """Opening: close the connection if a step fails, and say why on one line."""
        try:
            yield
        except BaseException as exc:
            await self._db.close()
            if isinstance(exc, (OSError, sqlite3.Error, SaltError)):
                raise StoreError(_problem(self.path, exc)) from exc
            raise

    async def _prepare(self) -> None:
        await self._use_wal()
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        found = _identity(self.path)
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):
            raise StoreError(schema_problem(f"database {self.path}", version, "upgrade the bot"))
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            if await self._migrate(number, migration.sqlite):
                log.info("database %s migrated to schema %d", self.path, number)
        # A write that changes nothing, rolled back: a locked or read-only file fails here
        # (BEGIN IMMEDIATE alone succeeds on a file SQLite quietly opened read-only).
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            await self._db.execute("DELETE FROM meta WHERE 0")
        finally:
            await self._db.rollback()
        async with self._db.execute("SELECT channel_id FROM listening_channel") as cursor:
            self._listening = {int(row[0]) async for row in cursor}
        self._file = found  # only a file that passed every check is written to

    async def _migrate(self, number: int, script: str) -> bool:
        """Apply one migration and its version bump in one transaction, unless another
        process (a second shard) applied it first: the version is read under the write lock,
        so a step is never applied twice, nor the version set back. Whether it applied."""
        await self._db.execute("BEGIN IMMEDIATE")
        try:
            if await self.schema_version() >= number:
                await self._db.rollback()
                return False
            if number == SALT_MOVED_OUT:
                await self._move_salt_out()
            for statement in _statements(script):  # (executescript would commit first)
                await self._db.execute(statement)
            await self._db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            await self._db.rollback()
            raise
        await self._db.commit()
        return True

    async def _use_wal(self) -> None:
        """WAL mode (recorded in the file). Processes creating the file at once (shards) can
        be refused the switch without SQLite's busy wait: try again for the busy timeout."""
        deadline = time.monotonic() + self._busy_timeout
        while True:
            try:
                await self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if _code(exc) != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.01)

    async def _move_salt_out(self) -> None:
        """Before migration 5 drops it from the database: an older file's voter salt goes to
        the salt file, so that votes already cast still match their voters. With the salt
        set in the settings instead, the database's is dropped."""
        salt = await self.get_meta("voter_salt")
        if salt is None:
            return
        if self._salt_file is None:
            log.warning(
                "TRIVIA_VOTER_SALT is set: the voter salt kept in %s is dropped, and everyone "
                "may vote once more on answers given before now",
                self.path,
            )
        elif write_salt(self._salt_file, salt) != salt:
            raise StoreError(
                f"{self._salt_file} holds another voter salt than database {self.path}; "
                "keep the database's (the votes in it were cast with it)"
            )

    @contextlib.asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        """The write lock, on the database at `path` (see `_follow_file`)."""
        async with self._write_lock:
            await self._follow_file()
            yield

    async def _follow_file(self) -> None:
        """Writes to a file deleted while the bot runs are acknowledged, then gone at the
        next start; a file replaced (a backup restored) is never written. So before writing,
        compare the file at `path` with the one open: write a deleted one again from the
        open connection (which still reads it), reopen a replaced one; both logged."""
        found = _identity(self.path)
        if found == self._file:
            return
        if found is not None and found == self._refused:
            raise StoreError(f"database {self.path} was replaced by a file this bot cannot use")
        copy = None
        if found is None:
            log.warning(
                "database %s was deleted while the bot ran; writing it again from the open "
                "connection",
                self.path,
            )
            copy = await self._copy_beside()
        else:
            log.warning("database %s was replaced while the bot ran; reopening it", self.path)
        # SQLite leaves a moved file's -wal behind when it closes, and the next file at the
        # path would take those pages for its own: empty the -wal into the old file first.
        if self._refused is None:  # (a refused file's connection has nothing to give back)
            await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await self._db.close()
        if copy is not None:
            with contextlib.suppress(FileExistsError):  # a copy another shard made wins
                self.path.hardlink_to(copy)
            copy.unlink()
        self._db = await _connect(self.path, self._busy_timeout)
        try:
            await self._prepare()
        except (sqlite3.Error, StoreError, OSError):
            self._refused = found  # refused at once from now on, until the file changes again
            raise
        self._refused = None
        if self._salt_file is not None:  # the salt file may have gone with the folder
            write_salt(self._salt_file, self._voter_salt)

    async def _copy_beside(self) -> Path:
        """A copy of the open database in its folder (made again if it went too)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        copy = self.path.with_name(f".{self.path.name}.{os.getpid()}.recovered")
        target = await aiosqlite.connect(copy)
        try:
            await self._db.backup(target)
        finally:
            await target.close()
        return copy

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        """One writer at a time on the shared connection: commit when the block ends, roll
        back if it fails, so no task commits (or strands) another's half-done work."""
        async with self._locked():
            try:
                yield
            except BaseException:
                await self._db.rollback()
                raise
            await self._db.commit()

    async def _disconnect(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        """The migration number the file is at."""
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    # Listening channels --------------------------------------------------------------------

    async def listen(self, guild_id: int, channel_id: int) -> bool:
        """Opt a channel in; False if it already was."""
        async with self._writing():
            cursor = await self._db.execute(
                "INSERT OR IGNORE INTO listening_channel (guild_id, channel_id, added_at) "
                "VALUES (?, ?, ?)",
                (guild_id, channel_id, time.time()),
            )
            self._listening.add(channel_id)
            return cursor.rowcount > 0

    async def unlisten(self, channel_id: int) -> bool:
        """Opt a channel out; False if it was not listening."""
        async with self._writing():
            cursor = await self._db.execute(
                "DELETE FROM listening_channel WHERE channel_id = ?", (channel_id,)
            )
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
        async with self._writing():
            await self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

        # Questions, usage and votes ------------------------------------------------------------

    async def _write_batch(self, batch: Sequence[QueuedQuestion]) -> list[int]:
        """Kept rows get their ids here, as SQLite would give them (the largest plus one),
        as one insert returns none: the counts' insert, first, holds the write lock, so no
        other process (a second shard) inserts between reading the largest id and using it."""
        counts = Counter(q.usage_key for q in batch)
        kept = [q for q in batch if q.keep_text]
        first = 0
        async with self._writing():
            await self._db.executemany(
                "INSERT INTO usage_count (day, guild_id, outcome, count) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (day, guild_id, outcome) DO UPDATE SET count = count + excluded.count",
                [(*key, n) for key, n in counts.items()],
            )
            if kept:
                first = await self._next_question_id()
                await self._db.executemany(
                    "INSERT INTO question_log "
                    "(id, asked_at, guild_id, channel_id, text, outcome, score) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(first + i, *q.row) for i, q in enumerate(kept)],
                )
        return list(range(first, first + len(kept)))

    async def _next_question_id(self) -> int:
        rows = await self._db.execute_fetchall("SELECT COALESCE(MAX(id), 0) + 1 FROM question_log")
        return int(next(iter(rows))[0])  # one round trip, not three

    async def confirm(self, question_id: int, fact_id: str, how: str, voter: str) -> bool:
        """Someone confirmed which fact a kept question meant (a "did you mean" click or a
        👍); once per person, question and fact. False if the question is no longer kept."""
        async with self._writing():
            cursor = await self._db.execute(
                "INSERT OR IGNORE INTO confirmation "
                "(question_id, fact_id, how, voter, confirmed_at) "
                "SELECT id, ?, ?, ?, ? FROM question_log WHERE id = ?",
                (fact_id, how, voter, time.time(), question_id),
            )
            return cursor.rowcount > 0

    async def confirmations(self, guild_id: int | None, since: float) -> list[Confirmation]:
        """Confirmed (question, fact) pairs asked since a time, with how many people
        confirmed each, most confirmed first: proposed examples for the fact base."""
        query = (
            "SELECT q.text, c.fact_id, COUNT(*) FROM confirmation c "
            "JOIN question_log q ON q.id = c.question_id WHERE q.asked_at >= ?"
        )
        parameters: tuple[object, ...] = (since,)
        if guild_id is not None:
            query += " AND q.guild_id = ?"
            parameters += (guild_id,)
        query += " GROUP BY q.id, c.fact_id ORDER BY COUNT(*) DESC, q.asked_at"
        async with self._db.execute(query, parameters) as cursor:
            return [Confirmation(str(r[0]), str(r[1]), int(r[2])) async for r in cursor]

    async def logged_questions(self, guild_id: int | None, since: float) -> list[LoggedQuestion]:
        """Kept questions since a time, oldest first: one server's, or all (guild None)."""
        query = (
            "SELECT asked_at, guild_id, channel_id, text, outcome, score FROM question_log "
            "WHERE asked_at >= ?"
        )
        parameters: tuple[object, ...] = (since,)
        if guild_id is not None:
            query += " AND guild_id = ?"
            parameters += (guild_id,)
        async with self._db.execute(query + " ORDER BY asked_at", parameters) as cursor:
            return [LoggedQuestion(*row) async for row in cursor]

    async def usage_totals(self, guild_id: int | None) -> dict[str, int]:
        """Questions served, by outcome: one server's, or all."""
        query = "SELECT outcome, SUM(count) FROM usage_count"
        parameters: tuple[object, ...] = ()
        if guild_id is not None:
            query += " WHERE guild_id = ?"
            parameters = (guild_id,)
        async with self._db.execute(query + " GROUP BY outcome", parameters) as cursor:
            return {str(row[0]): int(row[1]) async for row in cursor}

    async def purge_questions(self, older_than: float) -> int:
        """Delete kept questions asked before a time; returns how many."""
        async with self._writing():
            cursor = await self._db.execute(
                "DELETE FROM question_log WHERE asked_at < ?", (older_than,)
            )
            return cursor.rowcount

    async def forget_guild(self, guild_id: int) -> int:
        """Delete every kept question of a server; returns how many."""
        async with self._writing():
            cursor = await self._db.execute(
                "DELETE FROM question_log WHERE guild_id = ?", (guild_id,)
            )
            return cursor.rowcount

    async def record_vote(self, voter: str, guild_id: int, fact_id: str, vote: int) -> int | None:
        """Store a 👍 (1) or 👎 (-1) on a fact, replacing the voter's earlier one on it in this
        server (whichever answer it was given on), which is returned (None if the first)."""
        async with self._writing():
            async with self._db.execute(
                "SELECT vote FROM answer_vote WHERE guild_id = ? AND fact_id = ? AND voter = ?",
                (guild_id, fact_id, voter),
            ) as cursor:
                row = await cursor.fetchone()
            await self._db.execute(
                "INSERT INTO answer_vote (guild_id, fact_id, voter, vote, voted_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, fact_id, voter) DO UPDATE SET "
                "vote = excluded.vote, voted_at = excluded.voted_at",
                (guild_id, fact_id, voter, vote, time.time()),
            )
            return int(row[0]) if row else None

    async def vote_totals(self, guild_id: int | None) -> dict[str, tuple[int, int]]:
        """Per fact, (👍, 👎): one server's votes, or all."""
        query = (
            "SELECT fact_id, SUM(vote = 1), SUM(vote = -1) FROM answer_vote"
            + (" WHERE guild_id = ?" if guild_id is not None else "")
            + " GROUP BY fact_id"
        )
        parameters: tuple[object, ...] = (guild_id,) if guild_id is not None else ()
        async with self._db.execute(query, parameters) as cursor:
            return {str(r[0]): (int(r[1]), int(r[2])) async for r in cursor}

    # The fleet: processes sharing the file, on this host -----------------------------------

    async def announce(self, process: ProcessRecord) -> None:
        async with self._writing():
            await self._db.execute(
                "INSERT INTO bot_process "
                "(name, host, pid, shards, facts_digest, started_at, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "shards = excluded.shards, facts_digest = excluded.facts_digest, "
                "seen_at = excluded.seen_at",
                astuple(process),
            )

    async def retire(self, name: str) -> None:
        async with self._writing():
            await self._db.execute("DELETE FROM bot_process WHERE name = ?", (name,))

    async def processes(self, seen_since: float) -> list[ProcessRecord]:
        async with self._db.execute(
            "SELECT name, host, pid, shards, facts_digest, started_at, seen_at FROM bot_process "
            "WHERE seen_at >= ? ORDER BY name",
            (seen_since,),
        ) as cursor:
            return [ProcessRecord(*row) async for row in cursor]

    async def request_reload(self, requested_by: str) -> int:
        """Processes sharing a SQLite file share a host: each other one gets a SIGHUP, its
        reload signal, and answers the requests it finds pending."""
        async with self._writing():
            cursor = await self._db.execute(
                "INSERT INTO reload_request (requested_by, requested_at) VALUES (?, ?)",
                (requested_by, time.time()),
            )
            request = int(cursor.lastrowid or 0)
        host = socket.gethostname()
        for process in await self.processes(time.time() - PROCESS_GONE_AFTER):
            if process.host == host and process.pid != os.getpid():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(process.pid, signal.SIGHUP)
        return request

    async def pending_reloads(self, after: int, since: float) -> list[int]:
        async with self._db.execute(
            "SELECT id FROM reload_request WHERE id > ? AND requested_at >= ? ORDER BY id",
            (after, since),
        ) as cursor:
            return [int(row[0]) async for row in cursor]

    async def answer_reload(self, request: int, answer: ReloadAnswer) -> None:
        async with self._writing():
            await self._db.execute(
                "INSERT OR REPLACE INTO reload_answer "
                "(request_id, process, ok, detail, facts_digest, answered_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (request, answer.process, answer.ok, answer.detail, answer.facts_digest,
                 time.time()),
            )  # fmt: skip

    async def reload_answers(self, request: int) -> list[ReloadAnswer]:
        async with self._db.execute(
            "SELECT process, ok, detail, facts_digest FROM reload_answer WHERE request_id = ? "
            "ORDER BY process",
            (request,),
        ) as cursor:
            return [ReloadAnswer(str(r[0]), bool(r[1]), str(r[2]), str(r[3])) async for r in cursor]

    async def listen_for_fleet(self, handler: Callable[[FleetEvent], None]) -> None:
        """Nothing to listen to: SIGHUP reaches the processes (see `request_reload`)."""


async def _connect(
    path: Path, busy_timeout: float, *, uri: str | None = None
) -> aiosqlite.Connection:
    """A connection to `path` (its folder made if need be), or to a URI naming it."""
    try:
        if uri is None:
            path.parent.mkdir(parents=True, exist_ok=True)
        return await aiosqlite.connect(uri or path, timeout=busy_timeout, uri=uri is not None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc


def _problem(path: Path, exc: OSError | sqlite3.Error | SaltError) -> str:
    """Why a database cannot be used, as the one line a user reads."""
    if _code(exc) == sqlite3.SQLITE_READONLY:
        return (
            f"database {path} is read-only for this user (check the owner and permissions "
            "of the file and its folder)"
        )
    return str(exc) if isinstance(exc, SaltError) else f"cannot use database {path}: {exc}"


def _code(exc: BaseException) -> int | None:
    """SQLite's primary result code for an error it raised (None for others)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at a path (device, inode), or None if none is."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def _statements(script: str) -> list[str]:
    """A script's statements, split where SQLite says one is complete."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements + ([current.strip()] if current.strip() else [])


def _wal(path: Path) -> Path:
    return path.with_name(f"{path.name}-wal")
