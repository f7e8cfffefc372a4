"""The bot: an AutoShardedBot built from settings, the live matcher and the store."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
import signal
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import discord
import yarl
from discord.ext import commands

from bot.curation import (
    SECONDS_PER_DAY,
    LatencyWindow,
    StatsReport,
    days_ago,
    keeps_text,
    loggable_text,
)
from bot.discord_adapter.cogs.admin import AdminCog
from bot.discord_adapter.cogs.answers import AnswersCog
from bot.discord_adapter.cogs.chat import ChatCog
from bot.discord_adapter.deadline import ResponseWindow
from bot.discord_adapter.invite import invite_url
from bot.discord_adapter.replies import NO_PINGS, SuggestionButton, VoteButton
from bot.discord_adapter.tree import TriviaTree
from bot.fleet import Fleet, FleetReload, shards_label
from bot.live import LiveMatcher, ReloadResult, watch_folder
from bot.matching.matcher import Match
from bot.ratelimit import AnswerRateLimit
from bot.settings import DEFAULT_API_BASE, Settings
from bot.store import PROCESS_GONE_AFTER, STORE_FAILURES, LoggedQuestion, ProcessRecord, Store

__all__ = ["TriviaBot", "point_at_api", "quiet_voice_warnings", "settle_heap"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# The fact base and model are hundreds of thousands of long-lived objects: with the default
# thresholds the collector walked them all every few hundred answers (0.1-0.65 s pauses under
# load). Frozen after start-up and each reload, they are never walked; younger garbage is
# collected less often, in larger, still short, passes.
GC_THRESHOLDS = (50_000, 20, 20)


def settle_heap() -> None:
    """Collect what loading left behind, then move every surviving object out of the
    collector's sight (`gc.freeze`). Call after start-up and after each reload."""
    gc.set_threshold(*GC_THRESHOLDS)
    gc.unfreeze()  # a reload's replaced objects were frozen: let this pass free them
    gc.collect()
    gc.freeze()


def quiet_voice_warnings() -> None:
    """The bot never joins voice; don't warn at every start that voice libraries are missing."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


def point_at_api(api_base: str) -> None:
    """Send every REST call to `api_base` (a proxy, or a test's loopback stand-in).

    discord.py keeps its base URL on `Route`, a class attribute it sets itself for the API
    version; the gateway URL is redirected after login (see `TriviaBot.setup_hook`).
    """
    discord.http.Route.BASE = api_base


def intents_for(settings: Settings) -> discord.Intents:
    """The minimum: guilds (channels, permissions), messages in guilds and DMs; message
    content only when asked for, as it is privileged."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = settings.message_content
    return intents


class TriviaBot(commands.AutoShardedBot):
    """Answers questions about the show. Everything it uses is handed in; nothing is global."""

    def __init__(
        self, settings: Settings, live: LiveMatcher, store: Store, *, serve: bool = True
    ) -> None:
        """`serve=False` builds the bot only to sync its commands: no start-up sync, no
        reload triggers."""
        shards: dict[str, Any] = {"shard_count": settings.shard_count}
        if settings.shard_ids:
            shards["shard_ids"] = list(settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,  # no text commands; slash commands only
            help_command=None,
            intents=intents_for(settings),
            allowed_mentions=NO_PINGS,
            tree_cls=TriviaTree,
            **shards,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
        )
        self.settings = settings
        self.live = live
        self.store = store
        self.serve = serve
        self.rate_limit = AnswerRateLimit()
        self.answer_times = LatencyWindow()
        self.since_start: Counter[str] = Counter()
        self.response_window = ResponseWindow()
        self._background: set[asyncio.Task[Any]] = set()
        self._recording: set[asyncio.Task[int | None]] = set()
        self._stopping = asyncio.Event()
        self.fleet = Fleet(
            store,
            shards_label(settings.shard_ids, settings.shard_count),
            lambda: live.digest,
            self.reload_facts,
        )

    async def setup_hook(self) -> None:
        """Redirect the gateway if needed, add cogs, sync only when the commands changed,
        and start the reload triggers."""
        if self.settings.api_base != DEFAULT_API_BASE:
            await self._point_gateway_at_api()
        self._filter_gateway_events()
        await self.add_cog(AnswersCog(self))
        await self.add_cog(ChatCog(self))
        await self.add_cog(AdminCog(self))
        self.add_dynamic_items(SuggestionButton, VoteButton)
        if self.application_id is not None:
            log.info("invite link: %s", invite_url(self.application_id))
        if self.serve:
            await self.sync_commands(only_if_changed=True)
            self._watch_for_reloads()
            self._spawn(self._purge_daily())
            self._spawn(self.fleet.run())

    async def _point_gateway_at_api(self) -> None:
        """discord.py falls back on a fixed gateway URL (after an invalid session, or with a
        shard count); take the one the configured API names instead."""
        _, url, _ = await self.http.get_bot_gateway()
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        log.info("gateway taken from the configured API: %s", url)

    def _filter_gateway_events(self) -> None:
        """Skip gateway events before discord.py builds objects from them: the bot's own
        messages (each public answer comes back as MESSAGE_CREATE: a fifth of its CPU under
        load), and interactions already too old to answer. discord.py offers no hook this
        early, so its parser table (`ConnectionState.parsers`) is wrapped."""
        parsers: dict[str, Callable[[Any], None]] = self._connection.parsers
        parse_message, parse_interaction = parsers["MESSAGE_CREATE"], parsers["INTERACTION_CREATE"]
        own_id = str(self.user.id) if self.user else None

        def message_create(data: dict[str, Any]) -> None:
            if data.get("author", {}).get("id") != own_id:
                parse_message(data)

        def interaction_create(data: dict[str, Any]) -> None:
            if not self.response_window.shed(int(data["id"]), "on arrival"):
                parse_interaction(data)

        parsers["MESSAGE_CREATE"] = message_create
        parsers["INTERACTION_CREATE"] = interaction_create

    # Command sync ---------------------------------------------------------------------------

    def _sync_target(self, guild_id: int | None) -> discord.Object | None:
        if guild_id is None:
            return None
        guild = discord.Object(guild_id)
        self.tree.copy_global_to(guild=guild)
        return guild

    def command_hash(self, guild: discord.Object | None) -> str:
        """A hash of the command payloads as they would be synced."""
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    async def sync_commands(self, *, only_if_changed: bool) -> bool:
        """Sync the command tree (to the dev guild if set); skip when the last successful
        sync had the same commands. Returns whether it synced."""
        guild = self._sync_target(self.settings.dev_guild_id)
        if only_if_changed and await self.store.get_meta(_sync_key(guild)) == self.command_hash(
            guild
        ):
            log.info("commands unchanged since the last sync; not syncing")
            return False
        await self._sync(guild)
        return True

    async def sync_now(self, guild_id: int | None) -> int:
        """Sync at once (to one guild, or to all servers); returns how many commands."""
        return await self._sync(self._sync_target(guild_id))

    async def _sync(self, guild: discord.Object | None) -> int:
        synced = await self.tree.sync(guild=guild)
        await self.store.set_meta(_sync_key(guild), self.command_hash(guild))
        log.info("synced %d commands to %s", len(synced), guild.id if guild else "all servers")
        return len(synced)

    # Curation -------------------------------------------------------------------------------

    async def on_message(self, message: discord.Message, /) -> None:
        """No text commands: free text is the chat cog's (and "@bot who…" is not a command)."""

    def record_question(
        self,
        match: Match,
        guild_id: int | None,
        channel_id: int | None,
        seconds: float,
    ) -> asyncio.Task[int | None]:
        """Count a question the bot served and its answer time; keep its text if it was not
        answered well. The write starts at once, in a task that resolves to the kept row's id
        (buttons carry it, so a click can confirm which fact was meant): a caller whose reply
        failed need not await it. A DM keeps no channel (a DM channel is one user's)."""
        return self._spawn(self._record(match, guild_id, channel_id, seconds), self._recording)

    async def _record(
        self, match: Match, guild_id: int | None, channel_id: int | None, seconds: float
    ) -> int | None:
        """A store failure is logged, never shown to the person asking."""
        self.since_start[match.outcome.value] += 1
        self.answer_times.add(seconds)
        entry = LoggedQuestion(
            time.time(),
            guild_id,
            channel_id if guild_id is not None else None,
            loggable_text(match.question),
            match.outcome.value,
            match.score,
        )
        try:
            return await self.store.record_question(entry, keep_text=keeps_text(match))
        except STORE_FAILURES:
            log.exception("could not record a question in %s", self.store.description)
            return None

    async def forget_channel(self, channel_id: int) -> None:
        """A deleted channel stops listening (or it would linger in /trivia channels)."""
        try:
            await self.store.unlisten(channel_id)
        except STORE_FAILURES:
            log.exception("could not forget channel %s", channel_id)

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """Discord event: a channel was deleted."""
        await self.forget_channel(channel.id)

    async def stats_report(
        self, guild_id: int | None, *, with_process: bool = False
    ) -> StatsReport:
        """The stats for one server (or all), with this process's answer times; its count of
        questions since start (every server's) only `with_process`."""
        fact_base = self.live.matcher.fact_base
        p50, p99 = self.answer_times.percentile(0.5), self.answer_times.percentile(0.99)
        return StatsReport(
            facts=len(fact_base),
            phrasings=fact_base.phrasing_count,
            outcomes=await self.store.usage_totals(guild_id),
            votes={  # a removed fact's votes (or a forged id's, stored before they were refused)
                fact_id: thumbs
                for fact_id, thumbs in (await self.store.vote_totals(guild_id)).items()
                if fact_base.get(fact_id) is not None
            },
            since_start=dict(self.since_start) if with_process else {},
            p50_ms=None if p50 is None else p50 * 1000,
            p99_ms=None if p99 is None else p99 * 1000,
            digest=self.live.digest,
            processes=await self._fleet_members() if with_process else (),
            this_process=self.fleet.name,
        )

    async def _fleet_members(self) -> tuple[ProcessRecord, ...]:
        try:
            return tuple(await self.store.processes(time.time() - PROCESS_GONE_AFTER))
        except STORE_FAILURES:
            log.exception("could not list the processes sharing %s", self.store.description)
            return ()

    async def _purge_daily(self) -> None:
        """Forget kept questions older than the retention period, now and once a day."""
        days = self.settings.retention_days
        while True:
            try:
                removed = await self.store.purge_questions(days_ago(days))
                log.info("purged %d questions older than %d days", removed, days)
            except Exception:  # the loop must outlive any one failure
                log.exception("purging old questions failed")
            await asyncio.sleep(SECONDS_PER_DAY)

    # Reloads --------------------------------------------------------------------------------

    async def reload_facts(self, trigger: str) -> ReloadResult:
        """Reload the fact base (keeping the old one on any problem) and log the outcome."""
        result = await self.live.reload()
        if result.ok:
            settle_heap()
            log.warning("facts reloaded (%s): %s", trigger, result.changes)
        else:
            log.warning("facts reload (%s) refused: %d problem(s)", trigger, len(result.problems))
        return result

    async def reload_everywhere(self, trigger: str) -> tuple[ReloadResult, FleetReload | None]:
        """Reload here, then ask every other process sharing the store to, and gather their
        answers (None if the store failed: this process reloaded all the same)."""
        result = await self.reload_facts(trigger)
        try:
            return result, await self.fleet.reload_everywhere(result)
        except STORE_FAILURES:
            log.exception("could not ask the other processes to reload")
            return result, None

    def _watch_for_reloads(self) -> None:
        """SIGHUP reloads (and answers the reload requests of other processes on this host,
        which is how they reach it over SQLite)."""
        with contextlib.suppress(NotImplementedError, RuntimeError):  # no signals on Windows
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP,
                lambda: self._spawn(self.fleet.answer_pending(reload_anyway="SIGHUP")),
            )
        if self.settings.watch_facts:
            self._spawn(self._watch_files())

    async def _watch_files(self) -> None:
        async for changes in watch_folder(self.live.facts_dir, self._stopping):
            log.info("fact files changed: %s", sorted({c[1] for c in changes}))
            try:
                await self.reload_facts("files changed")
            except Exception:  # keep watching whatever one reload did
                log.exception("reload after a file change failed")

    def _spawn(
        self, coroutine: Coroutine[Any, Any, T], tasks: set[asyncio.Task[T]] | None = None
    ) -> asyncio.Task[T]:
        """A task kept (in `tasks`, the background ones by default) until it ends."""
        task = asyncio.get_running_loop().create_task(coroutine)
        kept: set[asyncio.Task[Any]] = self._background if tasks is None else tasks
        kept.add(task)
        task.add_done_callback(kept.discard)
        return task

    async def close(self) -> None:
        """Stop the background tasks (and wait for them), leave the fleet, disconnect."""
        self._stopping.set()
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await asyncio.gather(*self._recording, return_exceptions=True)  # finish the writes
        if self.serve:
            await self.fleet.retire()
        await super().close()


def _sync_key(guild: discord.Object | None) -> str:
    return f"command_sync:{guild.id if guild else 'global'}"
