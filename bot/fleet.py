"""This process among the others sharing its store: a heartbeat that says which fact base it
serves, and reloads that reach every process, not only the one a command was routed to.

A reload request is a row in the store, announced to the other processes (PostgreSQL:
NOTIFY; SQLite on one host: SIGHUP). Each reloads its own facts folder and records its
answer; the asker waits for the answers of every live process and reports them. The
heartbeat also catches up on requests a process missed (a dropped listening connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.live import ReloadResult
from bot.store import (
    PROCESS_GONE_AFTER,
    STORE_FAILURES,
    FleetEvent,
    ProcessRecord,
    ReloadAnswer,
    Store,
)

__all__ = ["Fleet", "FleetReload", "await_answers", "describe_result", "shards_label"]

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
ANSWER_TIMEOUT = 60.0  # a cold reload trains the model: about 15 s on the curated base
POLL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class FleetReload:
    """Every live process's answer to one reload request, and who did not answer in time."""

    answers: tuple[ReloadAnswer, ...]
    silent: tuple[str, ...] = ()

    @property
    def reloaded(self) -> int:
        return sum(answer.ok for answer in self.answers)

    @property
    def failed(self) -> tuple[ReloadAnswer, ...]:
        return tuple(answer for answer in self.answers if not answer.ok)

    @property
    def asked(self) -> int:
        return len(self.answers) + len(self.silent)


def shards_label(shard_ids: Sequence[int] | None, shard_count: int | None) -> str:
    """How a process's shards read in the fleet: "0,1 of 4", "all of 2", "all"."""
    if shard_count is None:
        return "all"
    chosen = ",".join(map(str, shard_ids)) if shard_ids else "all"
    return f"{chosen} of {shard_count}"


def describe_result(result: ReloadResult) -> str:
    """A reload's outcome in one short line, for the other processes' reports."""
    if not result.ok:
        shown = "; ".join(str(p) for p in result.problems[:3])
        more = f" (+{len(result.problems) - 3} more)" if len(result.problems) > 3 else ""
        return f"kept the previous facts: {shown}{more}"
    changes = result.changes
    if changes is None or not changes:
        return "no fact changed"
    return (
        f"{len(changes.added)} added, {len(changes.removed)} removed, {len(changes.edited)} edited"
    )


class Fleet:
    """This process's place in the fleet. `run()` is its background task."""

    def __init__(
        self,
        store: Store,
        shards: str,
        digest: Callable[[], str],
        reload: Callable[[str], Awaitable[ReloadResult]],
    ) -> None:
        self.store = store
        self.name = store.origin
        self._shards = shards
        self._digest = digest
        self._reload = reload
        self._started = time.time()
        self._answered = 0  # the newest request this process has answered (or made)
        self._requests = asyncio.Lock()  # one reload round at a time, in this process

    async def run(self) -> None:
        """Announce this process now and every heartbeat; follow what the others publish."""
        listener = asyncio.create_task(self.store.listen_for_fleet(self._follow))
        try:
            while True:
                try:
                    await self.announce()
                    await self.answer_pending()
                except STORE_FAILURES:
                    log.exception("the fleet heartbeat failed; trying again")
                await asyncio.sleep(HEARTBEAT_SECONDS)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def announce(self) -> None:
        """Write this process's row: its shards, the fact base it serves, a fresh heartbeat."""
        await self.store.announce(
            ProcessRecord(
                self.name,
                socket.gethostname(),
                os.getpid(),
                self._shards,
                self._digest(),
                self._started,
                time.time(),
            )
        )

    async def retire(self) -> None:
        """Leave the fleet (a clean close): the others stop waiting for this process."""
        with contextlib.suppress(*STORE_FAILURES):
            await self.store.retire(self.name)

    def _follow(self, event: FleetEvent) -> None:
        if event.reload_request is not None:
            task = asyncio.get_running_loop().create_task(self.answer_pending())
            task.add_done_callback(_log_failure)
        else:
            self.store.follow(event)

    async def answer_pending(self, *, reload_anyway: str | None = None) -> None:
        """Reload once for every request not yet answered (or because `reload_anyway`
        names another trigger, such as SIGHUP, which reloads even if the store fails), and
        answer each request with the result."""
        async with self._requests:
            try:
                pending = await self.store.pending_reloads(self._answered, self._started)
            except STORE_FAILURES:
                if reload_anyway is None:
                    raise
                log.exception("could not read the reload requests; reloading all the same")
                pending = []
            if not pending and reload_anyway is None:
                return
            result = await self._reload(reload_anyway or f"reload request {pending[-1]}")
            try:
                await self.announce()
                for request in pending:
                    await self.store.answer_reload(request, self._answer(result))
                    self._answered = max(self._answered, request)
            except STORE_FAILURES:
                log.exception("could not record this process's reload in the store")

    async def reload_everywhere(self, result: ReloadResult) -> FleetReload:
        """After this process reloaded (with `result`): ask every other one to, and wait
        for their answers."""
        async with self._requests:
            request = await self.store.request_reload(self.name)
            self._answered = max(self._answered, request)
        await self.store.answer_reload(request, self._answer(result))
        await self.announce()
        return await await_answers(self.store, request)

    def _answer(self, result: ReloadResult) -> ReloadAnswer:
        return ReloadAnswer(self.name, result.ok, describe_result(result), self._digest())


async def await_answers(store: Store, request: int, timeout: float = ANSWER_TIMEOUT) -> FleetReload:
    """Wait until every live process has answered a reload request (or the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        answers = await store.reload_answers(request)
        live = {p.name for p in await store.processes(time.time() - PROCESS_GONE_AFTER)}
        silent = live - {answer.process for answer in answers}
        if not silent or time.monotonic() > deadline:
            return FleetReload(tuple(answers), tuple(sorted(silent)))
        await asyncio.sleep(POLL_SECONDS)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("answering a reload request failed", exc_info=task.exception())
