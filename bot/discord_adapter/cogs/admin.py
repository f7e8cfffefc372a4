"""Admin commands (Manage Server): /trivia listen|unlisten|channels|forget and
/facts unanswered|stats, each about the admin's own server; /facts reload and /facts teach
change the fact base every server shares, so they are for the bot's owner only."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.curation import days_ago, group_questions, proposed_examples
from bot.discord_adapter.replies import NO_PINGS
from bot.discord_adapter.tree import owner_only, send_private
from bot.facts.loader import FactBaseError
from bot.presenters.embeds import reload_embed, stats_embed, unanswered_embed
from bot.teaching import TeachingError, teach_example

if TYPE_CHECKING:
    from bot.discord_adapter.client import TriviaBot

__all__ = ["AdminCog"]

Interaction = discord.Interaction["TriviaBot"]
# Discord shows these commands only to members with Manage Server (owners can change that),
# so each command checks the permission again when it runs.
ADMIN = discord.Permissions(manage_guild=True)
MAX_GROUPED = 2_000


class AdminCog(commands.Cog):
    """Where the bot listens for free-text questions, and reloading the fact base."""

    trivia = app_commands.Group(
        name="trivia",
        description="Where the bot answers questions asked without mentioning it",
        default_permissions=ADMIN,
        guild_only=True,
    )
    facts = app_commands.Group(
        name="facts",
        description="The fact base the bot answers from",
        default_permissions=ADMIN,
        guild_only=True,
    )

    def __init__(self, bot: TriviaBot) -> None:
        self.bot = bot

    @trivia.command(name="listen")
    @app_commands.describe(channel="The channel where I should answer questions I am sure of")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def listen(self, interaction: Interaction, channel: discord.TextChannel) -> None:
        """Answer confident questions in a channel, without being mentioned."""
        assert interaction.guild_id is not None  # guild_only
        added = await self.bot.store.listen(interaction.guild_id, channel.id)
        text = (
            f"I'll answer questions in {channel.mention} when I'm sure of the answer."
            if added
            else f"I already listen in {channel.mention}."
        )
        await send_private(interaction, text)

    @trivia.command(name="unlisten")
    @app_commands.describe(channel="The channel where I should stop answering unprompted")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def unlisten(self, interaction: Interaction, channel: discord.TextChannel) -> None:
        """Stop answering in a channel unless mentioned."""
        removed = await self.bot.store.unlisten(channel.id)
        text = (
            f"I'll only answer in {channel.mention} when mentioned."
            if removed
            else f"I wasn't listening in {channel.mention}."
        )
        await send_private(interaction, text)

    @trivia.command(name="forget")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def forget(self, interaction: Interaction) -> None:
        """Delete every question I kept from this server."""
        assert interaction.guild_id is not None  # guild_only
        removed = await self.bot.store.forget_guild(interaction.guild_id)
        await send_private(interaction, f"Forgotten: {removed} kept question(s) from this server.")

    @trivia.command(name="channels")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def channels(self, interaction: Interaction) -> None:
        """The channels where I answer without being mentioned."""
        assert interaction.guild_id is not None  # guild_only
        listening = await self.bot.store.listening_channels(interaction.guild_id)
        text = (
            "I listen in: " + ", ".join(f"<#{c}>" for c in listening)
            if listening
            else "I don't listen in any channel here; mention me or use `/trivia listen`."
        )
        await send_private(interaction, text)

    @facts.command(name="unanswered")
    @app_commands.describe(days="How far back to look (default 7)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def unanswered(
        self, interaction: Interaction, days: app_commands.Range[int, 1, 365] = 7
    ) -> None:
        """The most-asked questions I could not answer well: what to add next."""
        assert interaction.guild_id is not None  # guild_only
        await interaction.response.defer(ephemeral=True, thinking=True)
        logged = await self.bot.store.logged_questions(interaction.guild_id, days_ago(days))
        texts = [q.text for q in logged[-MAX_GROUPED:]]  # grouping is quadratic: the latest
        groups = await asyncio.to_thread(group_questions, texts)
        confirmed = await self.bot.store.confirmations(interaction.guild_id, days_ago(days))
        known = (f.id for f in self.bot.live.matcher.fact_base.facts)
        proposals = proposed_examples(confirmed, known)
        await interaction.followup.send(
            embed=unanswered_embed(groups, days, proposals),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @facts.command(name="teach")
    @app_commands.describe(
        fact="The fact the question asks for", question="The question, as people asked it"
    )
    @owner_only()
    async def teach(
        self,
        interaction: Interaction,
        fact: app_commands.Range[str, 1, 100],
        question: app_commands.Range[str, 1, 300],
    ) -> None:
        """Owner only: add an approved example question for a fact, then reload."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await asyncio.to_thread(teach_example, self.bot.live.facts_dir, fact, question)
        except TeachingError as exc:
            await interaction.followup.send(f"Not added: {exc}.", ephemeral=True)
            return
        except FactBaseError as exc:
            problem = exc.problems[0]
            await interaction.followup.send(f"Not added: {problem}", ephemeral=True)
            return
        result, fleet = await self.bot.reload_everywhere("/facts teach")
        count = len(self.bot.live.matcher.fact_base)
        await interaction.followup.send(
            content=f"Added as an example of `{fact}`.",
            embed=reload_embed(result, count, fleet),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @teach.autocomplete("fact")
    async def teach_fact_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Fact ids containing what has been typed."""
        typed = current.casefold()
        ids = [f.id for f in self.bot.live.matcher.fact_base.facts if typed in f.id]
        return [app_commands.Choice(name=i, value=i) for i in ids[:25]]

    @facts.command(name="stats")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def stats(self, interaction: Interaction) -> None:
        """Facts loaded, questions served, outcomes, feedback and answer times."""
        assert interaction.guild_id is not None  # guild_only
        owner = await self.bot.is_owner(interaction.user)
        embeds = [stats_embed(await self.bot.stats_report(interaction.guild_id))]
        if owner:  # the bot's owner also sees every server's totals, and this process's count
            totals = await self.bot.stats_report(None, with_process=True)
            embeds.append(stats_embed(totals, title="Trivia stats for all servers"))
        await interaction.response.send_message(
            embeds=embeds, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @facts.command(name="reload")
    @owner_only()  # (checked after Manage Server: decorators apply from the bottom up)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reload(self, interaction: Interaction) -> None:
        """Owner only: reload the fact files every server shares, in every process of the
        bot; a process that meets an error keeps its current facts in service."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        result, fleet = await self.bot.reload_everywhere("/facts reload")
        count = len(self.bot.live.matcher.fact_base)
        await interaction.followup.send(
            embed=reload_embed(result, count, fleet), ephemeral=True, allowed_mentions=NO_PINGS
        )
