"""Starting the bot (and syncing its commands) from settings, with one-line start-up errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

import aiohttp
import discord

from bot.discord_adapter.client import (
    TriviaBot,
    point_at_api,
    quiet_voice_warnings,
    settle_heap,
)
from bot.live import LiveMatcher
from bot.matching.matcher import Matcher
from bot.settings import Settings
from bot.store import StoreError, open_store, setting_for

__all__ = ["StartupError", "run_bot", "sync_commands"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class StartupError(Exception):
    """The bot cannot start; the message is one line, names the setting, and never the token."""


def run_bot(settings: Settings, matcher: Matcher) -> None:
    """Connect and serve until stopped (Ctrl-C or SIGTERM)."""
    asyncio.run(_serve(settings, matcher))


def sync_commands(settings: Settings, matcher: Matcher, guild_id: int | None) -> int:
    """Log in, sync the command tree now (to one guild or globally), return the count."""
    return asyncio.run(_sync(settings, matcher, guild_id))


async def _serve(settings: Settings, matcher: Matcher) -> None:
    async with _bot(settings, matcher, serve=True) as bot:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
        settle_heap()  # the fact base, model and bot are built: what lives now lives long
        await _guarded(bot.start(_token(settings)), settings)


async def _sync(settings: Settings, matcher: Matcher, guild_id: int | None) -> int:
    async with _bot(settings, matcher, serve=False) as bot:
        await _guarded(bot.login(_token(settings)), settings)
        return await _guarded(bot.sync_now(guild_id), settings)


@contextlib.asynccontextmanager
async def _bot(settings: Settings, matcher: Matcher, *, serve: bool) -> AsyncIterator[TriviaBot]:
    try:
        store = await open_store(
            settings.data_dir,
            settings.database,
            pool_size=settings.database_pool,
            voter_salt=settings.salt,
        )
    except StoreError as exc:
        raise StartupError(f"{setting_for(settings.database)}: {exc}") from exc
    point_at_api(settings.api_base)
    quiet_voice_warnings()
    live = LiveMatcher(settings.facts_dir, matcher, cache_dir=settings.data_dir)
    async with store, TriviaBot(settings, live, store, serve=serve) as bot:
        yield bot


async def _guarded(step: Awaitable[T], settings: Settings) -> T:
    """Await a start-up step, turning the failures a user can fix into one-line errors."""
    try:
        return await step
    except discord.LoginFailure as exc:
        raise StartupError("DISCORD_TOKEN was rejected by Discord; check it in the portal") from exc
    except discord.PrivilegedIntentsRequired as exc:
        raise StartupError(
            "TRIVIA_MESSAGE_CONTENT is on, but the Message Content intent is not enabled "
            "for this application in the developer portal"
        ) from exc
    except (aiohttp.ClientError, OSError, discord.GatewayNotFound) as exc:
        raise StartupError(f"DISCORD_API_BASE: cannot reach {settings.api_base} ({exc})") from exc
    except discord.HTTPException as exc:
        raise StartupError(f"Discord refused a start-up request: {exc.status} {exc.text}") from exc


def _token(settings: Settings) -> str:
    token = settings.token
    if token is None:
        raise StartupError("DISCORD_TOKEN is not set")
    return token
