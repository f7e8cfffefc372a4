"""What every store offers, whichever database holds it: the interface the bot uses, the
values it stores, and the parts both backends share (batched question writes, voter keys)."""

from __future__ import annotations

import abc
import asyncio
import hashlib
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

__all__ = [
    "PROCESS_GONE_AFTER",
    "Confirmation",
    "FleetEvent",
    "LoggedQuestion",
    "ProcessRecord",
    "ReloadAnswer",
    "Store",
    "StoreError",
]


# A process whose heartbeat is older than this is taken for gone (killed, or its host down).
PROCESS_GONE_AFTER = 90.0


class StoreError(Exception):
    """The database cannot be opened or used (unreachable, refused, read-only, newer schema);
    the message is one line for the person who can fix it, never a credential."""


@dataclass(frozen=True, slots=True)
class LoggedQuestion:
    """One question as the store keeps it: no user id, ever."""

    asked_at: float
    guild_id: int | None
    channel_id: int | None
    text: str
    outcome: str
    score: float


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A kept question and the fact people confirmed it meant, with how many did."""

    text: str
    fact_id: str
    count: int


@dataclass(frozen=True, slots=True)
class ProcessRecord:
    """A running bot process as the others see it (a row each, refreshed by a heartbeat)."""

    name: str  # host:pid, unique while it runs
    host: str
    pid: int
    shards: str  # "0,1 of 4", or "all"
    facts_digest: str  # the content hash of the fact base it serves
    started_at: float
    seen_at: float


@dataclass(frozen=True, slots=True)
class ReloadAnswer:
    """One process's answer to a reload request."""

    process: str
    ok: bool
    detail: str  # the changes, or why it kept its old facts
    facts_digest: str


@dataclass(frozen=True, slots=True)
class FleetEvent:
    """Something another process did that this one must follow: a reload asked for (by
    request id), or a channel opted in or out of listening."""

    origin: str  # the process that published it (see `Store.origin`)
    reload_request: int | None = None
    channel_id: int | None = None
    listening: bool = False


@dataclass(frozen=True, slots=True)
class QueuedQuestion:
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
    def row(self) -> tuple[float, int | None, int | None, str, str, float]:
        """Its question_log columns after the id."""
        q = self.question
        return (q.asked_at, q.guild_id, q.channel_id, q.text, q.outcome, q.score)


class Store(abc.ABC):
    """The bot's state: listening channels, kept questions, usage counts, votes, metadata,
    and the fleet of processes sharing it. Open a backend with `bot.store.open_store`."""

    description: str  # what to call the database in logs: a path, never a URL

    def __init__(self, voter_salt: str) -> None:
        self.origin = f"{socket.gethostname()}:{os.getpid()}"  # this process, to the fleet
        self._voter_salt = voter_salt
        self._listening: set[int] = set()
        self._queued: list[QueuedQuestion] = []
        self._writer: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Write what is queued, then close (idempotent)."""
        if self._writer is not None:
            await self._writer
        await self._disconnect()

    @abc.abstractmethod
    async def _disconnect(self) -> None: ...

    @abc.abstractmethod
    async def schema_version(self) -> int:
        """The migration number the database is at."""

    # Listening channels (kept in memory as well: asked for every message) ---------------

    def is_listening(self, channel_id: int) -> bool:
        """Whether free text in this channel may be answered."""
        return channel_id in self._listening

    def follow(self, event: FleetEvent) -> None:
        """Apply another process's change of a listening channel to this one's memory."""
        if event.channel_id is not None:
            if event.listening:
                self._listening.add(event.channel_id)
            else:
                self._listening.discard(event.channel_id)

    @abc.abstractmethod
    async def listen(self, guild_id: int, channel_id: int) -> bool:
        """Opt a channel in; False if it already was."""

    @abc.abstractmethod
    async def unlisten(self, channel_id: int) -> bool:
        """Opt a channel out; False if it was not listening."""

    @abc.abstractmethod
    async def listening_channels(self, guild_id: int) -> list[int]:
        """A server's listening channels, oldest first."""

    # Metadata ---------------------------------------------------------------------------

    @abc.abstractmethod
    async def get_meta(self, key: str) -> str | None:
        """A stored value (such as the hash of the last command sync), or None."""

    @abc.abstractmethod
    async def set_meta(self, key: str, value: str) -> None:
        """Store a value, replacing any earlier one."""

    # Questions, usage and votes ---------------------------------------------------------

    async def record_question(self, question: LoggedQuestion, *, keep_text: bool) -> int | None:
        """Count a question by day and outcome; keep its text only when asked to (the bot
        keeps those it could not answer well), returning the kept row's id once committed.
        Both or neither. Questions are queued and written in batches (see `_write_queued`)."""
        queued = QueuedQuestion(question, keep_text, asyncio.get_running_loop().create_future())
        self._queued.append(queued)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued())
        return await queued.done

    async def _write_queued(self) -> None:
        """The one writer of questions: it takes everything queued and commits it in one
        transaction, a few round trips however many there are (one transaction each made a
        busy loop's writes queue by the hundred). A batch that fails is written again one
        question at a time, so one bad question fails alone."""
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                ids = await self._write_batch(batch)
            except Exception:
                for queued in batch:
                    await self._write_alone(queued)
                continue
            _resolve(batch, ids)

    async def _write_alone(self, queued: QueuedQuestion) -> None:
        try:
            _resolve([queued], await self._write_batch([queued]))
        except Exception as exc:  # the caller gets it, as from a write of its own
            if not queued.done.done():  # (a caller that gave up has no one to tell)
                queued.done.set_exception(exc)

    @abc.abstractmethod
    async def _write_batch(self, batch: Sequence[QueuedQuestion]) -> list[int]:
        """Write a batch in one transaction (rolled back whole if any of it fails); the ids
        of its kept questions, in order."""

    @abc.abstractmethod
    async def confirm(self, question_id: int, fact_id: str, how: str, voter: str) -> bool:
        """Someone confirmed which fact a kept question meant (a "did you mean" click or a
        👍); once per person, question and fact. False if the question is no longer kept."""

    @abc.abstractmethod
    async def confirmations(self, guild_id: int | None, since: float) -> list[Confirmation]:
        """Confirmed (question, fact) pairs asked since a time, with how many people
        confirmed each, most confirmed first: proposed examples for the fact base."""

    @abc.abstractmethod
    async def logged_questions(self, guild_id: int | None, since: float) -> list[LoggedQuestion]:
        """Kept questions since a time, oldest first: one server's, or all (guild None)."""

    @abc.abstractmethod
    async def usage_totals(self, guild_id: int | None) -> dict[str, int]:
        """Questions served, by outcome: one server's, or all."""

    @abc.abstractmethod
    async def purge_questions(self, older_than: float) -> int:
        """Delete kept questions asked before a time; returns how many."""

    @abc.abstractmethod
    async def forget_guild(self, guild_id: int) -> int:
        """Delete every kept question of a server; returns how many."""

    async def voter_key(self, user_id: int) -> str:
        """A stable stand-in for a user id (salted hash): one vote each, no id kept."""
        return hashlib.sha256(f"{self._voter_salt}:{user_id}".encode()).hexdigest()[:32]

    @abc.abstractmethod
    async def record_vote(self, voter: str, guild_id: int, fact_id: str, vote: int) -> int | None:
        """Store a 👍 (1) or 👎 (-1) on a fact, replacing the voter's earlier one on it in this
        server (whichever answer it was given on), which is returned (None if the first)."""

    @abc.abstractmethod
    async def vote_totals(self, guild_id: int | None) -> dict[str, tuple[int, int]]:
        """Per fact, (👍, 👎): one server's votes, or all."""

    # The fleet: processes sharing this database, and reloads that reach them all --------

    @abc.abstractmethod
    async def announce(self, process: ProcessRecord) -> None:
        """Record (or refresh) a running process; its `seen_at` is its heartbeat."""

    @abc.abstractmethod
    async def retire(self, name: str) -> None:
        """A process leaves cleanly: forget it."""

    @abc.abstractmethod
    async def processes(self, seen_since: float) -> list[ProcessRecord]:
        """The processes whose heartbeat is recent enough, by name."""

    @abc.abstractmethod
    async def request_reload(self, requested_by: str) -> int:
        """Record a reload request and tell every other process (see `listen_for_fleet`);
        returns its id."""

    @abc.abstractmethod
    async def pending_reloads(self, after: int, since: float) -> list[int]:
        """Reload requests newer than `after` and made since a time (a process just started
        has nothing to reload)."""

    @abc.abstractmethod
    async def answer_reload(self, request: int, answer: ReloadAnswer) -> None:
        """Record one process's answer to a reload request."""

    @abc.abstractmethod
    async def reload_answers(self, request: int) -> list[ReloadAnswer]:
        """Every answer to a reload request so far."""

    @abc.abstractmethod
    async def listen_for_fleet(self, handler: Callable[[FleetEvent], None]) -> None:
        """Call `handler` for what other processes publish, until closed. A backend that
        cannot publish (SQLite) returns at once: its processes are reached by signals."""


def _resolve(batch: Sequence[QueuedQuestion], ids: Sequence[int]) -> None:
    kept = iter(ids)
    for queued in batch:
        row_id = next(kept) if queued.keep_text else None
        if not queued.done.done():
            queued.done.set_result(row_id)
