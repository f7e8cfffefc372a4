"""Free-text questions: when mentioned, in DMs, and in channels an admin opted in."""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.curation import keeps_text
from bot.discord_adapter.replies import NO_PINGS, Reply, reply_for
from bot.matching.chat import reads_as_question
from bot.matching.matcher import Outcome

if TYPE_CHECKING:
    from bot.discord_adapter.client import TriviaBot

__all__ = ["ChatCog"]

log = logging.getLogger(__name__)

HINT = "Ask me about {about}: who is in it, what it's about, where to watch…"
# Messages people type (plain and replies); joins, pins, boosts and the like are not questions.
_CONVERSATION = (discord.MessageType.default, discord.MessageType.reply)


class ChatCog(commands.Cog):
    """Answers what is asked of it; stays silent on chatter, bots, webhooks and itself."""

    def __init__(self, bot: TriviaBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Reply to a question addressed to the bot, or a sure answer in a listening channel."""
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id or message.author == me:
            return
        if message.type not in _CONVERSATION:
            return
        # The mention must be in the text: a reply that pings the bot is not a question to it.
        addressed = message.guild is None or me.id in message.raw_mentions
        if not addressed and not self.bot.store.is_listening(message.channel.id):
            return
        question = _without_mentions_of(me.id, message.content)
        if not addressed and not reads_as_question(question):
            return  # chatter in a listening channel
        # Over the limit: not matched, counted or kept (and silence: a notice would be noise).
        # In a listening channel only an answer uses up the allowance, so there we only look.
        limit = self.bot.rate_limit
        if not (limit.allow(message.author.id) if addressed else limit.has_room(message.author.id)):
            return
        if addressed and not question.strip():
            await self._reply(message, None)
            return
        matcher = self.bot.live.matcher
        started = time.perf_counter()
        match = matcher.match(question)
        elapsed = time.perf_counter() - started
        if not addressed and match.outcome is not Outcome.ANSWER:
            return  # in a listening channel only a confident answer is worth the noise
        if not addressed and not limit.allow(message.author.id):
            return
        guild_id = message.guild.id if message.guild else None
        record = self.bot.record_question(match, guild_id, message.channel.id, elapsed)
        kept = await record if keeps_text(match) else None  # the buttons carry a kept row's id
        await self._reply(message, reply_for(match, matcher.fact_base, question_id=kept))
        await record

    async def _reply(self, message: discord.Message, reply: Reply | None) -> None:
        """A message reply that pings no one; None sends the hint on how to ask."""
        try:
            if reply is None:
                about = self.bot.live.matcher.fact_base.lexicon.show.about
                hint = HINT.format(about=about)
                await message.reply(hint, mention_author=False, allowed_mentions=NO_PINGS)
            elif reply.view is None:
                await message.reply(
                    embed=reply.embed, mention_author=False, allowed_mentions=NO_PINGS
                )
            else:
                await message.reply(
                    embed=reply.embed,
                    view=reply.view,
                    mention_author=False,
                    allowed_mentions=NO_PINGS,
                )
        except discord.HTTPException as exc:
            log.warning(
                "could not reply in channel %s (message %s): %s",
                message.channel.id,
                message.id,
                exc,
            )


def _without_mentions_of(user_id: int, text: str) -> str:
    """The message without the bot's own mention (`<@id>` or `<@!id>`)."""
    return re.sub(rf"<@!?{user_id}>", " ", text).strip()
