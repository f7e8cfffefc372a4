"""Slash commands that answer: /ask, /cast, /premise, /franchise and /help."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.curation import keeps_text
from bot.discord_adapter.replies import NO_PINGS, reply_for
from bot.discord_adapter.tree import answer_rate_limit
from bot.facts.model import Topic
from bot.matching.completion import MAX_CHOICE_CHARS, MAX_CHOICES
from bot.presenters.embeds import decline_embed, help_embed, topic_embed

if TYPE_CHECKING:
    from bot.discord_adapter.client import TriviaBot

__all__ = ["AnswersCog"]

Interaction = discord.Interaction["TriviaBot"]
MAX_QUESTION_OPTION = 300  # what /ask accepts; the matcher reads 600 characters at most


class AnswersCog(commands.Cog):
    """Parse, ask the live matcher, present, send."""

    def __init__(self, bot: TriviaBot) -> None:
        self.bot = bot

    async def _send_question(self, interaction: Interaction, question: str) -> None:
        matcher = self.bot.live.matcher
        started = time.perf_counter()
        match = matcher.match(question)
        elapsed = time.perf_counter() - started
        record = self.bot.record_question(
            match, interaction.guild_id, interaction.channel_id, elapsed
        )
        kept = await record if keeps_text(match) else None  # the buttons carry a kept row's id
        reply = reply_for(match, matcher.fact_base, question_id=kept)
        await interaction.response.send_message(**reply.send_kwargs(), ephemeral=reply.private)
        await record

    @app_commands.command(name="ask")
    @app_commands.describe(question="Your question about the show, in your own words")
    @answer_rate_limit()
    async def ask(
        self,
        interaction: Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_OPTION],
    ) -> None:
        """Ask anything about the show."""
        await self._send_question(interaction, question)

    @ask.autocomplete("question")
    async def ask_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The known questions closest to what has been typed so far."""
        questions = self.bot.live.completer.complete(current, MAX_CHOICES)
        return [app_commands.Choice(name=q, value=q) for q in questions]

    @app_commands.command(name="cast")
    @app_commands.describe(who="An actor or a character (leave empty for the cast)")
    @answer_rate_limit()
    async def cast(self, interaction: Interaction, who: str | None = None) -> None:
        """Who is in the show, and who plays whom."""
        if who:
            await self._send_question(interaction, f"who is {who}")
            return
        await self._send_topic(interaction, Topic.CAST, "The cast of {show}")

    @cast.autocomplete("who")
    async def cast_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Actors and characters the fact base knows, filtered by what has been typed."""
        names = self.bot.live.matcher.fact_base.lexicon.cast.values()
        typed = current.casefold().strip()
        return [
            app_commands.Choice(name=n[:MAX_CHOICE_CHARS], value=n[:MAX_CHOICE_CHARS])
            for n in names
            if typed in n.casefold()
        ][:MAX_CHOICES]

    @app_commands.command(name="premise")
    @answer_rate_limit()
    async def premise(self, interaction: Interaction) -> None:
        """What the show is about."""
        await self._send_topic(interaction, Topic.PREMISE, "The premise of {show}")

    @app_commands.command(name="franchise")
    @answer_rate_limit()
    async def franchise(self, interaction: Interaction) -> None:
        """Where the show comes from, its franchise, and where it streams."""
        await self._send_topic(interaction, Topic.FRANCHISE, "{show} and {franchise}")

    async def _send_topic(self, interaction: Interaction, topic: Topic, title: str) -> None:
        fact_base = self.bot.live.matcher.fact_base
        show = fact_base.lexicon.show
        title = title.format(show=show.name, franchise=show.franchise)
        embed = topic_embed(fact_base, topic, title)
        if embed is None:
            await interaction.response.send_message(
                embed=decline_embed(fact_base), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_PINGS)

    @app_commands.command(name="help")
    async def help(self, interaction: Interaction) -> None:
        """What this bot knows and how to ask it."""
        fact_base = self.bot.live.matcher.fact_base
        firsts: dict[Topic, str] = {}
        for fact in fact_base.facts:
            firsts.setdefault(fact.topic, fact.questions[0])
        embed = help_embed(fact_base, list(firsts.values())[:6])
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )
