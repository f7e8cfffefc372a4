"""The command tree: the one place where app-command failures become a reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.discord_adapter.deadline import is_lost_interaction

if TYPE_CHECKING:
    from bot.discord_adapter.client import TriviaBot

__all__ = [
    "AnswerRateLimited",
    "NotOwner",
    "TriviaTree",
    "answer_rate_limit",
    "owner_only",
    "send_private",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
FAILURE_TEXT = "Something went wrong on my side. It has been logged; please try again later."


class AnswerRateLimited(app_commands.CheckFailure):
    """The user asked for more answers than the per-user limit allows."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.0f}s")
        self.retry_after = retry_after


def answer_rate_limit() -> Callable[[T], T]:
    """A check: at most a few answers per user in a window (shared with free text)."""

    async def predicate(interaction: discord.Interaction[TriviaBot]) -> bool:
        limit = interaction.client.rate_limit
        if limit.allow(interaction.user.id):
            return True
        raise AnswerRateLimited(limit.retry_after(interaction.user.id))

    return app_commands.check(predicate)


class NotOwner(app_commands.CheckFailure):
    """The command changes what every server is answered from: the bot's owner's alone."""


def owner_only() -> Callable[[T], T]:
    """A check: the bot's owner (the application's owner or team) only."""

    async def predicate(interaction: discord.Interaction[TriviaBot]) -> bool:
        if await interaction.client.is_owner(interaction.user):
            return True
        raise NotOwner("not the bot's owner")

    return app_commands.check(predicate)


async def send_private(interaction: discord.Interaction[Any], text: str) -> None:
    """An ephemeral text reply, whether or not the interaction was answered already."""
    none = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=none)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=none)


def failure_text(error: app_commands.AppCommandError) -> str | None:
    """What to tell the user for an expected failure; None for a bug (logged in full)."""
    if isinstance(error, AnswerRateLimited):
        return f"Easy there: you can ask again in {max(1, round(error.retry_after))} s."
    if isinstance(error, NotOwner):
        return "Only the bot's owner can do that: every server shares the fact base."
    if isinstance(error, app_commands.MissingPermissions):
        return "You need the Manage Server permission for that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that here."
    if isinstance(error, app_commands.TransformerError):
        return "I couldn't read one of the options; please pick it from the list."
    return None


class TriviaTree(app_commands.CommandTree[Any]):
    """Short ephemeral messages for users; the traceback and interaction id for the log."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Drop a command that can no longer be answered in time (it waited in our queue)."""
        return not interaction.client.response_window.shed(interaction.id, "at its command")

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if is_lost_interaction(cause):  # expired: no response can reach the user any more
            log.warning("interaction %s expired before its response was sent", interaction.id)
            return
        text = failure_text(error)
        if text is None:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error(
                "command /%s failed (interaction %s)", command, interaction.id, exc_info=cause
            )
            text = FAILURE_TEXT
        try:
            await send_private(interaction, text)
        except discord.HTTPException:
            log.warning("could not tell the user about a failure (interaction %s)", interaction.id)
