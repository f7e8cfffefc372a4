"""The store in PostgreSQL (asyncpg), for processes on several hosts: set
`TRIVIA_DATABASE_URL`. Everything the processes must share is here (listening channels, the
command-sync hash, kept questions, counts, votes, the fleet's processes and reloads), and
they tell each other what changed over `LISTEN`/`NOTIFY`.

asyncpg was chosen over psycopg 3 by `bench/postgres_driver.py`: about 1.5 times the
throughput on the store's own statements (see the README).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import astuple
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from bot.store.base import (
    Confirmation,
    FleetEvent,
    LoggedQuestion,
    ProcessRecord,
    QueuedQuestion,
    ReloadAnswer,
    Store,
    StoreError,
)
from bot.store.migrations import MIGRATIONS, schema_problem

__all__ = ["FLEET_CHANNEL", "POSTGRES_FAILURES", "PostgresStore"]

# A connection of the pool, or one of its own (the listener's): the same calls on both.
_Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"

log = logging.getLogger(__name__)

DATABASE = "the PostgreSQL database"  # how errors name it (never by its URL)
FLEET_CHANNEL = "trivia_fleet"  # NOTIFY channel: reloads asked for, listening changes
MIGRATION_LOCK = 0x7472_6976_6961  # pg_advisory_xact_lock key: one migrator at a time
CONNECT_TIMEOUT = 10.0
RELISTEN_SECONDS = 2.0  # after the listening connection dropped

# What a call can raise while the bot runs: the server's errors, the driver's (a connection
# or pool closed), and the network's.
POSTGRES_FAILURES: tuple[type[Exception], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)

# ValueError: a URL asyncpg cannot parse
_OPEN_FAILURES: tuple[type[Exception], ...] = (*POSTGRES_FAILURES, ValueError)


class PostgresStore(Store):
    """The state in a PostgreSQL database. Open with `await PostgresStore.open(url, ...)`."""

    description = "the PostgreSQL database (TRIVIA_DATABASE_URL)"

    def __init__(self, pool: asyncpg.Pool, url: str, voter_salt: str) -> None:
        super().__init__(voter_salt)
        self._pool = pool
        self._url = url  # a secret: never logged
        self._closed = asyncio.Event()

    @classmethod
    async def open(cls, url: str, *, pool_size: int, voter_salt: str) -> PostgresStore:
        """Connect, migrate (once, however many processes start at once) and check that the
        database takes writes; StoreError (one line, no credentials) if it cannot."""
        store = cls(await _pool(url, pool_size, read_only=False), url, voter_salt)
        async with store._closed_on_failure():
            await store.migrate()
            async with store._transaction() as conn:  # a write that changes nothing
                await conn.execute("DELETE FROM meta WHERE false")
            channels = await store._pool.fetch("SELECT channel_id FROM listening_channel")
            store._listening = {int(row[0]) for row in channels}
        return store

    @classmethod
    async def open_read_only(cls, url: str) -> PostgresStore:
        """For reports: every transaction read-only, never migrated. StoreError unless the
        database is at this bot's schema."""
        store = cls(await _pool(url, 1, read_only=True), url, "")
        async with store._closed_on_failure():
            version = await store.schema_version()
            if version != len(MIGRATIONS):
                raise StoreError(schema_problem(DATABASE, version, "run `trivia-bot migrate`"))
        return store

    @contextlib.asynccontextmanager
    async def _closed_on_failure(self) -> AsyncIterator[None]:
        try:
            yield
        except BaseException as exc:
            await self._pool.close()
            if isinstance(exc, POSTGRES_FAILURES):
                raise StoreError(_problem(exc)) from exc
            raise

    async def migrate(self) -> None:
        """Apply the migrations this database lacks, in one transaction under an advisory
        lock: processes starting together wait for the first, then find nothing to do."""
        async with self._transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            version = await _version(conn)
            if version > len(MIGRATIONS):
                raise StoreError(schema_problem(DATABASE, version, "upgrade the bot"))
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                await conn.execute(migration.postgres)
                log.info("PostgreSQL database migrated to schema %d", number)
            await conn.execute("DELETE FROM schema_version")
            await conn.execute("INSERT INTO schema_version VALUES ($1)", len(MIGRATIONS))

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[_Connection]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn

    async def _disconnect(self) -> None:
        self._closed.set()
        await self._pool.close()

    async def schema_version(self) -> int:
        async with self._pool.acquire() as conn:
            return await _version(conn)

    # Listening channels ---------------------------------------------------------------------

    async def listen(self, guild_id: int, channel_id: int) -> bool:
        async with self._transaction() as conn:
            status = await conn.execute(
                "INSERT INTO listening_channel (guild_id, channel_id, added_at) "
                "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                guild_id,
                channel_id,
                time.time(),
            )
            await self._publish(conn, channel_id=channel_id, listening=True)
        self._listening.add(channel_id)
        return _rows(status) > 0

    async def unlisten(self, channel_id: int) -> bool:
        async with self._transaction() as conn:
            status = await conn.execute(
                "DELETE FROM listening_channel WHERE channel_id = $1", channel_id
            )
            await self._publish(conn, channel_id=channel_id, listening=False)
        self._listening.discard(channel_id)
        return _rows(status) > 0

    async def listening_channels(self, guild_id: int) -> list[int]:
        rows = await self._pool.fetch(
            "SELECT channel_id FROM listening_channel WHERE guild_id = $1 ORDER BY added_at",
            guild_id,
        )
        return [int(row[0]) for row in rows]

    # Metadata -------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        value = await self._pool.fetchval("SELECT value FROM meta WHERE key = $1", key)
        return None if value is None else str(value)

    async def set_meta(self, key: str, value: str) -> None:
        await self._pool.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key,
            value,
        )

    # Questions, usage and votes -------------------------------------------------------------

    async def _write_batch(self, batch: Sequence[QueuedQuestion]) -> list[int]:
        """Kept rows take their ids from the identity's sequence first, so that the ids
        come back in the batch's order (an insert's RETURNING promises no order)."""
        counts = Counter(q.usage_key for q in batch)
        kept = [q for q in batch if q.keep_text]
        async with self._transaction() as conn:
            await conn.executemany(
                "INSERT INTO usage_count (day, guild_id, outcome, count) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (day, guild_id, outcome) "
                "DO UPDATE SET count = usage_count.count + excluded.count",
                [(*key, n) for key, n in counts.items()],
            )
            if not kept:
                return []
            ids = [
                int(row[0])
                for row in await conn.fetch(
                    "SELECT nextval(pg_get_serial_sequence('question_log', 'id')) "
                    "FROM generate_series(1, $1)",
                    len(kept),
                )
            ]
            await conn.executemany(
                "INSERT INTO question_log "
                "(id, asked_at, guild_id, channel_id, text, outcome, score) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [(row_id, *_without_nul(q.row)) for row_id, q in zip(ids, kept, strict=True)],
            )
        return ids

    async def confirm(self, question_id: int, fact_id: str, how: str, voter: str) -> bool:
        status = await self._pool.execute(
            "INSERT INTO confirmation (question_id, fact_id, how, voter, confirmed_at) "
            "SELECT id, $1, $2, $3, $4 FROM question_log WHERE id = $5 ON CONFLICT DO NOTHING",
            fact_id,
            how,
            voter,
            time.time(),
            question_id,
        )
        return _rows(status) > 0

    async def confirmations(self, guild_id: int | None, since: float) -> list[Confirmation]:
        rows = await self._pool.fetch(
            "SELECT q.text, c.fact_id, COUNT(*) FROM confirmation c "
            "JOIN question_log q ON q.id = c.question_id "
            "WHERE q.asked_at >= $1 AND ($2::BIGINT IS NULL OR q.guild_id = $2) "
            "GROUP BY q.id, c.fact_id ORDER BY COUNT(*) DESC, q.asked_at",
            since,
            guild_id,
        )
        return [Confirmation(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    async def logged_questions(self, guild_id: int | None, since: float) -> list[LoggedQuestion]:
        rows = await self._pool.fetch(
            "SELECT asked_at, guild_id, channel_id, text, outcome, score FROM question_log "
            "WHERE asked_at >= $1 AND ($2::BIGINT IS NULL OR guild_id = $2) ORDER BY asked_at",
            since,
            guild_id,
        )
        return [LoggedQuestion(*row) for row in rows]

    async def usage_totals(self, guild_id: int | None) -> dict[str, int]:
        rows = await self._pool.fetch(
            "SELECT outcome, SUM(count) FROM usage_count "
            "WHERE $1::BIGINT IS NULL OR guild_id = $1 GROUP BY outcome",
            guild_id,
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def purge_questions(self, older_than: float) -> int:
        status = await self._pool.execute(
            "DELETE FROM question_log WHERE asked_at < $1", older_than
        )
        return _rows(status)

    async def forget_guild(self, guild_id: int) -> int:
        status = await self._pool.execute("DELETE FROM question_log WHERE guild_id = $1", guild_id)
        return _rows(status)

    async def record_vote(self, voter: str, guild_id: int, fact_id: str, vote: int) -> int | None:
        async with self._transaction() as conn:
            earlier = await conn.fetchval(
                "SELECT vote FROM answer_vote WHERE guild_id = $1 AND fact_id = $2 "
                "AND voter = $3 FOR UPDATE",
                guild_id,
                fact_id,
                voter,
            )
            await conn.execute(
                "INSERT INTO answer_vote (guild_id, fact_id, voter, vote, voted_at) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild_id, fact_id, voter) DO UPDATE "
                "SET vote = excluded.vote, voted_at = excluded.voted_at",
                guild_id,
                fact_id,
                voter,
                vote,
                time.time(),
            )
        return None if earlier is None else int(earlier)

    async def vote_totals(self, guild_id: int | None) -> dict[str, tuple[int, int]]:
        rows = await self._pool.fetch(
            "SELECT fact_id, COUNT(*) FILTER (WHERE vote = 1), COUNT(*) FILTER (WHERE vote = -1) "
            "FROM answer_vote WHERE $1::BIGINT IS NULL OR guild_id = $1 GROUP BY fact_id",
            guild_id,
        )
        return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}

    # The fleet ------------------------------------------------------------------------------

    async def announce(self, process: ProcessRecord) -> None:
        await self._pool.execute(
            "INSERT INTO bot_process (name, host, pid, shards, facts_digest, started_at, seen_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO UPDATE SET "
            "shards = excluded.shards, facts_digest = excluded.facts_digest, "
            "seen_at = excluded.seen_at",
            *astuple(process),
        )

    async def retire(self, name: str) -> None:
        await self._pool.execute("DELETE FROM bot_process WHERE name = $1", name)

    async def processes(self, seen_since: float) -> list[ProcessRecord]:
        rows = await self._pool.fetch(
            "SELECT name, host, pid, shards, facts_digest, started_at, seen_at FROM bot_process "
            "WHERE seen_at >= $1 ORDER BY name",
            seen_since,
        )
        return [ProcessRecord(*row) for row in rows]

    async def request_reload(self, requested_by: str) -> int:
        async with self._transaction() as conn:
            request = int(
                await conn.fetchval(
                    "INSERT INTO reload_request (requested_by, requested_at) VALUES ($1, $2) "
                    "RETURNING id",
                    requested_by,
                    time.time(),
                )
            )
            await self._publish(conn, reload_request=request)  # sent on commit
        return request

    async def pending_reloads(self, after: int, since: float) -> list[int]:
        rows = await self._pool.fetch(
            "SELECT id FROM reload_request WHERE id > $1 AND requested_at >= $2 ORDER BY id",
            after,
            since,
        )
        return [int(row[0]) for row in rows]

    async def answer_reload(self, request: int, answer: ReloadAnswer) -> None:
        await self._pool.execute(
            "INSERT INTO reload_answer "
            "(request_id, process, ok, detail, facts_digest, answered_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id, process) DO UPDATE SET "
            "ok = excluded.ok, detail = excluded.detail, facts_digest = excluded.facts_digest",
            request,
            answer.process,
            answer.ok,
            answer.detail,
            answer.facts_digest,
            time.time(),
        )

    async def reload_answers(self, request: int) -> list[ReloadAnswer]:
        rows = await self._pool.fetch(
            "SELECT process, ok, detail, facts_digest FROM reload_answer WHERE request_id = $1 "
            "ORDER BY process",
            request,
        )
        return [ReloadAnswer(str(r[0]), bool(r[1]), str(r[2]), str(r[3])) for r in rows]

    async def _publish(self, conn: _Connection, **event: Any) -> None:
        payload = json.dumps({"origin": self.origin, **event})
        await conn.execute("SELECT pg_notify($1, $2)", FLEET_CHANNEL, payload)

    async def listen_for_fleet(self, handler: Callable[[FleetEvent], None]) -> None:
        """LISTEN on a connection of its own (outside the pool) until the store closes; a
        dropped connection is made again, and what was missed meanwhile is caught up by the
        caller's heartbeat (pending reloads) and the next start (listening channels)."""
        while not self._closed.is_set():
            try:
                await self._listen_once(handler)
            except POSTGRES_FAILURES as exc:
                log.warning("the PostgreSQL listening connection failed (%s); reconnecting", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), RELISTEN_SECONDS)

    async def _listen_once(self, handler: Callable[[FleetEvent], None]) -> None:
        conn = await asyncpg.connect(self._url, timeout=CONNECT_TIMEOUT)
        lost = asyncio.Event()

        def received(_conn: _Connection, _pid: int, _channel: str, payload: object) -> None:
            event = _event(str(payload))
            if event is not None and event.origin != self.origin:
                handler(event)

        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(FLEET_CHANNEL, received)
            closed = asyncio.ensure_future(self._closed.wait())
            dropped = asyncio.ensure_future(lost.wait())
            await asyncio.wait({closed, dropped}, return_when=asyncio.FIRST_COMPLETED)
            closed.cancel()
            dropped.cancel()
            if lost.is_set() and not self._closed.is_set():
                raise asyncpg.InterfaceError("connection lost")
        finally:
            with contextlib.suppress(*POSTGRES_FAILURES):
                await conn.close(timeout=2)


async def _pool(url: str, size: int, *, read_only: bool) -> asyncpg.Pool:
    settings = {"default_transaction_read_only": "on"} if read_only else {}
    try:
        pool = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=size,
            timeout=CONNECT_TIMEOUT,
            server_settings={"application_name": "trivia-bot", **settings},
        )
    except _OPEN_FAILURES as exc:
        raise StoreError(_problem(exc)) from exc
    if pool is None:  # typed Optional by asyncpg; never None when awaited
        raise StoreError("cannot connect to the PostgreSQL server")
    return pool


async def _version(conn: _Connection) -> int:
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    version = await conn.fetchval("SELECT MAX(version) FROM schema_version")
    return int(version or 0)


def _problem(exc: BaseException) -> str:
    """Why the database cannot be used, on one line, without the URL or its password."""
    if isinstance(
        exc, (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)
    ):
        return f"the PostgreSQL server refused the credentials ({exc})"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"no such PostgreSQL database ({exc})"
    if isinstance(exc, asyncpg.InsufficientPrivilegeError | asyncpg.ReadOnlySQLTransactionError):
        return f"the PostgreSQL database does not take this bot's writes ({exc})"
    if isinstance(exc, TimeoutError):
        return f"the PostgreSQL server did not answer within {CONNECT_TIMEOUT:.0f} s"
    if isinstance(exc, OSError):
        return f"cannot reach the PostgreSQL server ({exc.strerror or exc})"
    if isinstance(exc, ValueError):
        return "not a usable PostgreSQL URL"
    return f"cannot use the PostgreSQL database ({type(exc).__name__}: {exc})"


def _rows(status: str) -> int:
    """How many rows a command touched, from its status ("DELETE 3", "INSERT 0 1")."""
    return int(status.rsplit(" ", 1)[-1])


def _without_nul(row: tuple[float, int | None, int | None, str, str, float]) -> tuple[object, ...]:
    """PostgreSQL text cannot hold NUL, which SQLite keeps."""
    asked_at, guild_id, channel_id, text, outcome, score = row
    text = text.replace("\x00", "") if isinstance(text, str) else text  # (the column refuses
    return asked_at, guild_id, channel_id, text, outcome, score  # anything else)


def _event(payload: str) -> FleetEvent | None:
    """A notification's event; None (and a log line) for one this version cannot read."""
    try:
        data = json.loads(payload)
        return FleetEvent(
            origin=str(data["origin"]),
            reload_request=int(data["reload_request"]) if "reload_request" in data else None,
            channel_id=int(data["channel_id"]) if "channel_id" in data else None,
            listening=bool(data.get("listening", False)),
        )
    except (ValueError, KeyError, TypeError):
        log.warning("ignored a fleet notification this bot cannot read")
        return None
