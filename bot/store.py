"""The bot's state in one SQLite file (aiosqlite): listening channels, questions it could not
answer well, usage counts, answer votes, and small metadata.

Schema changes are numbered migrations applied at start-up; `PRAGMA user_version` records
how far a file has come. Later features add migrations; they never edit old ones.

The voter salt is not in here (since migration 5): see `bot.voter_salt`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.voter_salt import VOTER_SALT_FILE, SaltError, new_salt, write_salt

__all__ = [
    "DATABASE_FILE",
    "MIGRATIONS",
    "SALT_MOVED_OUT",
    "STORE_FAILURES",
    "VOTER_SALT_FILE",
    "Confirmation",
    "LoggedQuestion",
    "Store",
    "StoreError",
]

log = logging.getLogger(__name__)

DATABASE_FILE = "trivia.sqlite3"  # in TRIVIA_DATA_DIR

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
    """
    CREATE TABLE question_log (
        id         INTEGER PRIMARY KEY,
        asked_at   REAL    NOT NULL,
        guild_id   INTEGER,            -- NULL in direct messages
        channel_id INTEGER,
        text       TEXT    NOT NULL,
        outcome    TEXT    NOT NULL,   -- answer | suggest | decline
        score      REAL    NOT NULL
    );
    CREATE INDEX question_log_guild_time ON question_log (guild_id, asked_at);
    CREATE TABLE usage_count (
        day      TEXT    NOT NULL,     -- UTC date, YYYY-MM-DD
        guild_id INTEGER NOT NULL,     -- 0 for direct messages
        outcome  TEXT    NOT NULL,
        count    INTEGER NOT NULL,
        PRIMARY KEY (day, guild_id, outcome)
    );
    CREATE TABLE answer_vote (
        message_id INTEGER NOT NULL,   -- the answer's message
        voter      TEXT    NOT NULL,   -- a salted hash: votes keep no user id
        guild_id   INTEGER NOT NULL,
        fact_id    TEXT    NOT NULL,
        vote       INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        voted_at   REAL    NOT NULL,
        PRIMARY KEY (message_id, voter)
    );
    CREATE INDEX answer_vote_fact ON answer_vote (fact_id);
    """,
    """
    CREATE TABLE confirmation (
        question_id INTEGER NOT NULL REFERENCES question_log (id) ON DELETE CASCADE,
        fact_id     TEXT    NOT NULL,
        how         TEXT    NOT NULL,  -- click (a "did you mean" button) | thumb (a 👍)
        voter       TEXT    NOT NULL,  -- a salted hash, as for votes
        confirmed_at REAL   NOT NULL,
        PRIMARY KEY (question_id, fact_id, voter)
    );
    CREATE INDEX confirmation_fact ON confirmation (fact_id);
    """,
    # 4: one vote per person per fact in a server, not per answer message (the latest kept)
    """
    CREATE TABLE fact_vote (
        guild_id   INTEGER NOT NULL,   -- 0 for direct messages
        fact_id    TEXT    NOT NULL,
        voter      TEXT    NOT NULL,   -- a salted hash: votes keep no user id
        vote       INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        voted_at   REAL    NOT NULL,
        PRIMARY KEY (guild_id, fact_id, voter)
    );
    INSERT INTO fact_vote (guild_id, fact_id, voter, vote, voted_at)
        SELECT guild_id, fact_id, voter, vote, MAX(voted_at) FROM answer_vote
        GROUP BY guild_id, fact_id, voter;
    DROP TABLE answer_vote;
    ALTER TABLE fact_vote RENAME TO answer_vote;
    CREATE INDEX answer_vote_fact ON answer_vote (fact_id);
    """,
    # 5: the voter salt leaves the database, written to its own file first (`_move_salt_out`)
    "DELETE FROM meta WHERE key = 'voter_salt';",
)
SALT_MOVED_OUT = 5


class StoreError(Exception):
    """The database cannot be opened or used (corrupt, locked, read-only, newer schema)."""


# What a store call can raise while the bot runs: SQLite's errors, the store's own (the file
# was replaced by one it cannot use: read-only, a newer schema), the file system's, and
# ValueError from a connection closed while shutting down.
STORE_FAILURES: tuple[type[Exception], ...] = (sqlite3.Error, StoreError, OSError, ValueError)


class Store:
    """Async access to the state database. Open with `await Store.open(path)`."""

    def __init__(
        self,
        connection: aiosqlite.Connection,
        path: Path,
        *,
        busy_timeout: float = 5.0,
        voter_salt: str | None = None,
    ) -> None:
        self._db = connection
        self.path = path
        self._busy_timeout = busy_timeout
        self._file = _identity(path)  # the file the connection has open
        self._refused: tuple[int, int] | None = None  # a replacement it could not use
        self._voter_salt = voter_salt or ""  # from the salt file if not set
        self._salt_file = None if voter_salt else path.parent / VOTER_SALT_FILE
        self._listening: set[int] = set()
        self._write_lock = asyncio.Lock()
        self._queued: list[_QueuedQuestion] = []
        self._writer: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls, path: Path, *, busy_timeout: float = 5.0, voter_salt: str | None = None
    ) -> Store:
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
    async def open_read_only(cls, path: Path) -> Store:
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
                raise StoreError(_schema_problem(path, version, "start the bot once to migrate it"))
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
            raise StoreError(_schema_problem(self.path, version, "upgrade the bot"))
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            if number == SALT_MOVED_OUT:
                await self._move_salt_out()
            # executescript commits first; the version bump rides in the same script.
            try:
                await self._db.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
                )
            except sqlite3.OperationalError:
                await self._db.rollback()
                if await self.schema_version() < number:
                    raise
                continue  # another process (a second shard) applied it first
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

    async def close(self) -> None:
        """Write what is queued, then close the connection (idempotent)."""
        if self._writer is not None:
            await self._writer
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

    async def record_question(self, question: LoggedQuestion, *, keep_text: bool) -> int | None:
        """Count a question by day and outcome; keep its text only when asked to (the bot
        keeps those it could not answer well), returning the kept row's id once committed.
        Both or neither. Questions are queued and written in batches (see `_write_queued`)."""
        queued = _QueuedQuestion(question, keep_text, asyncio.get_running_loop().create_future())
        self._queued.append(queued)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued())
        return await queued.done

    async def _write_queued(self) -> None:
        """The one writer of questions: it takes everything queued and commits it in one
        transaction, a few round trips to SQLite's thread however many there are (one
        transaction each made a busy loop's writes queue by the hundred). A batch that fails
        is written again one question at a time, so one bad question fails alone."""
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                await self._write_batch(batch)
            except Exception:
                for queued in batch:
                    await self._write_alone(queued)

    async def _write_alone(self, queued: _QueuedQuestion) -> None:
        try:
            await self._write_batch([queued])
        except Exception as exc:  # the caller gets it, as from a write of its own
            if not queued.done.done():  # (a caller that gave up has no one to tell)
                queued.done.set_exception(exc)

    async def _write_batch(self, batch: Sequence[_QueuedQuestion]) -> None:
        """One transaction; rolled back whole if any of it fails. Kept rows get their ids
        here, as SQLite would give them (the largest plus one), as one insert returns none:
        the counts' insert, first, holds the write lock, so no other process (a second
        shard) inserts between reading the largest id and using it."""
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
        ids = iter(range(first, first + len(kept)))
        for queued in batch:
            row_id = next(ids) if queued.keep_text else None
            if not queued.done.done():
                queued.done.set_result(row_id)

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

    async def voter_key(self, user_id: int) -> str:
        """A stable stand-in for a user id (salted hash): one vote each, no id kept."""
        return hashlib.sha256(f"{self._voter_salt}:{user_id}".encode()).hexdigest()[:32]

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


def _schema_problem(path: Path, version: int, remedy: str) -> str:
    age = "newer" if version > len(MIGRATIONS) else "older"
    return (
        f"database {path} has schema {version}, {age} than this bot ({len(MIGRATIONS)}); {remedy}"
    )


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


def _wal(path: Path) -> Path:
    return path.with_name(f"{path.name}-wal")


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A kept question and the fact people confirmed it meant, with how many did."""

    text: str
    fact_id: str
    count: int


@dataclass(frozen=True, slots=True)
class _QueuedQuestion:
    """A question waiting for the writer, and the future its caller awaits."""

    question: LoggedQuestion
    keep_text: bool
    done: asyncio.Future[int | None]

    @property
    def usage_key(self) -> tuple[str, int, str]:
        """(UTC day, guild or 0 for DMs, outcome): the usage count it adds to."""
        q = self.question
        return time.strftime("%Y-%m-%d", time.gmtime(q.asked_at)), q.guild_id or 0, q.outcome

    @property
    def row(self) -> tuple[object, ...]:
        """Its question_log columns after the id."""
        q = self.question
        return (q.asked_at, q.guild_id, q.channel_id, q.text, q.outcome, q.score)


@dataclass(frozen=True, slots=True)
class LoggedQuestion:
    """One question as the store keeps it: no user id, ever."""

    asked_at: float
    guild_id: int | None
    channel_id: int | None
    text: str
    outcome: str
    score: float
