"""Discord embeds for answers, suggestions, declines, topic digests, help and reloads.

Every text is clipped to Discord's limits (title 256, description 4096, field 1024, footer
2048, 25 fields, 6000 characters in all), so a long fact can never make a send fail.
"""

from __future__ import annotations

import discord

from bot.curation import ProposedExample, QuestionGroup, StatsReport
from bot.facts.model import Fact, FactBase, Topic
from bot.fleet import FleetReload
from bot.live import ReloadResult
from bot.matching.matcher import Match
from bot.presenters.text import (
    DECLINE_TEXT,
    as_question,
    clip,
    fleet_reload_lines,
    groups_lines,
    known_topics,
    proposals_lines,
    shown_question,
    stats_lines,
)

__all__ = [
    "answer_embed",
    "answers_embed",
    "decline_embed",
    "help_embed",
    "reload_embed",
    "stats_embed",
    "suggest_embed",
    "topic_embed",
    "unanswered_embed",
]

TITLE_LIMIT, DESCRIPTION_LIMIT, FIELD_LIMIT, FOOTER_LIMIT = 256, 4096, 1024, 2048
TOPIC_FIELDS = 5  # a digest shows the lead fact and at most this many more
COLOUR = discord.Colour.dark_blue()
SOURCE_NOTE = "from the source article"


def _citation(fact: Fact) -> str:
    return clip(f"“{fact.source}” — {SOURCE_NOTE}", FIELD_LIMIT)


def answer_embed(fact: Fact, question: str | None = None) -> discord.Embed:
    """One fact: the answer, its source excerpt as a citation, and the topic."""
    title = shown_question(question) if question and question.strip() else "Answer"
    embed = discord.Embed(
        title=clip(title, TITLE_LIMIT),
        description=clip(fact.answer, DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    embed.add_field(name="Source", value=_citation(fact), inline=False)
    embed.set_footer(text=clip(f"Topic: {fact.topic.value}", FOOTER_LIMIT))
    return embed


def answers_embed(facts: tuple[Fact, ...], question: str) -> discord.Embed:
    """Several facts for a message that asked several things: each answer with its source."""
    embed = discord.Embed(title=clip(shown_question(question), TITLE_LIMIT), colour=COLOUR)
    for number, fact in enumerate(facts[:TOPIC_FIELDS], start=1):
        value = clip(f"{fact.answer}\n{_citation(fact)}", FIELD_LIMIT)
        embed.add_field(name=f"{number}. {clip(as_question(fact.questions[0]), 200)}", value=value)
    embed.set_footer(text=clip(", ".join(f"Topic: {f.topic.value}" for f in facts), FOOTER_LIMIT))
    return embed


def suggest_embed(match: Match) -> discord.Embed:
    """ "Did you mean …": the close questions, to pick with the buttons below."""
    lines = [f"• {as_question(s.question)}" for s in match.suggestions]
    return discord.Embed(
        title="Did you mean…",
        description=clip("\n".join(lines), DESCRIPTION_LIMIT),
        colour=COLOUR,
    )


def decline_embed(fact_base: FactBase) -> discord.Embed:
    """The article doesn't say; what it does cover."""
    embed = discord.Embed(description=DECLINE_TEXT, colour=discord.Colour.light_grey())
    embed.add_field(name="I know about", value=clip(known_topics(fact_base), FIELD_LIMIT))
    return embed


def topic_embed(fact_base: FactBase, topic: Topic, title: str) -> discord.Embed | None:
    """A topic's facts in file order: the first as the description, the next as fields."""
    facts = [f for f in fact_base.facts if f.topic is topic]
    if not facts:
        return None
    lead, *more = facts
    embed = discord.Embed(
        title=clip(title, TITLE_LIMIT),
        description=clip(f"{lead.answer}\n> {lead.source}", DESCRIPTION_LIMIT // 4),
        colour=COLOUR,
    )
    for fact in more[:TOPIC_FIELDS]:
        value = clip(f"{fact.answer}\n> “{clip(fact.source, 300)}”", FIELD_LIMIT // 2)
        embed.add_field(name=clip(as_question(fact.questions[0]), 256), value=value, inline=False)
    embed.set_footer(text=f"Quotes are {SOURCE_NOTE}. Ask /ask for anything else.")
    return embed


def help_embed(fact_base: FactBase, examples: list[str]) -> discord.Embed:
    """What the bot knows and the ways to ask it."""
    embed = discord.Embed(
        title=clip(f"{fact_base.lexicon.show.name} trivia", TITLE_LIMIT),
        description=clip(
            f"I answer questions about {fact_base.lexicon.show.about}, from one curated "
            "article, and I quote my source with every answer. If the article doesn't say, "
            "I say so rather than guess.",
            DESCRIPTION_LIMIT,
        ),
        colour=COLOUR,
    )
    embed.add_field(
        name="Ask",
        value=(
            "`/ask` any question · `/cast` · `/premise` · `/franchise`\n"
            "Mention me with a question, DM me, or have an admin run `/trivia listen` "
            "in a channel where I should answer questions I am sure of."
        ),
        inline=False,
    )
    embed.add_field(name="Topics", value=clip(known_topics(fact_base), FIELD_LIMIT), inline=False)
    if examples:
        sample = "\n".join(f"• {as_question(e)}" for e in examples)
        embed.add_field(name="For example", value=clip(sample, FIELD_LIMIT), inline=False)
    embed.set_footer(text=f"{len(fact_base)} facts, {fact_base.phrasing_count} phrasings")
    return embed


def reload_embed(
    result: ReloadResult, fact_count: int, fleet: FleetReload | None = None
) -> discord.Embed:
    """What a reload changed here, or every problem that kept the old fact base in service;
    then how the other processes of the bot fared."""
    embed = _local_reload_embed(result, fact_count)
    if fleet is not None:
        embed.add_field(
            name="Processes",
            value=clip("\n".join(fleet_reload_lines(fleet)), FIELD_LIMIT),
            inline=False,
        )
    return embed


def _local_reload_embed(result: ReloadResult, fact_count: int) -> discord.Embed:
    if not result.ok:
        problems = "\n".join(str(p) for p in result.problems)
        embed = discord.Embed(
            title="Reload refused: still serving the previous facts",
            description=clip(
                f"```\n{clip(problems, DESCRIPTION_LIMIT - 12)}\n```", DESCRIPTION_LIMIT
            ),
            colour=discord.Colour.red(),
        )
        embed.set_footer(text=f"{len(result.problems)} problem(s)")
        return embed
    changes = result.changes
    embed = discord.Embed(title="Facts reloaded", colour=discord.Colour.green())
    if changes is not None:
        for name, ids in (
            ("Added", changes.added),
            ("Removed", changes.removed),
            ("Edited", changes.edited),
        ):
            if ids:
                embed.add_field(
                    name=f"{name} ({len(ids)})", value=clip(", ".join(ids), FIELD_LIMIT)
                )
    if not embed.fields:
        embed.description = "No fact changed." + (
            " Aliases changed." if result.lexicon_changed else ""
        )
    embed.set_footer(text=f"{fact_count} facts now served")
    return embed


def stats_embed(report: StatsReport, title: str = "Trivia stats for this server") -> discord.Embed:
    """/facts stats: what is loaded, served, and what people thought of it."""
    return discord.Embed(
        title=title,
        description=clip("\n".join(stats_lines(report)), DESCRIPTION_LIMIT),
        colour=COLOUR,
    )


def unanswered_embed(
    groups: list[QuestionGroup], days: int, proposals: list[ProposedExample] | None = None
) -> discord.Embed:
    """/facts unanswered: what to add next, and what people confirmed (to approve)."""
    lines = groups_lines(groups) or ["Nothing: every question was answered with confidence."]
    embed = discord.Embed(
        title=f"Most-asked questions I couldn't answer well (last {days} days)",
        description=clip("\n".join(lines), DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    if proposals:
        confirmed = "\n".join(proposals_lines(proposals))
        embed.add_field(
            name="Confirmed by people (approve with /facts teach)",
            value=clip(confirmed, FIELD_LIMIT),
            inline=False,
        )
    embed.set_footer(text="`trivia-bot report --yaml` turns these into fact stubs and examples.")
    return embed
