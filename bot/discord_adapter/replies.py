"""A Match as something to send: an embed, the suggestion buttons, and whether to hide it."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_adapter.deadline import is_lost_interaction
from bot.discord_adapter.tree import send_private
from bot.facts.model import FactBase
from bot.matching.matcher import Match, Outcome
from bot.presenters.embeds import answer_embed, answers_embed, decline_embed, suggest_embed
from bot.presenters.text import as_question
from bot.store import STORE_FAILURES

if TYPE_CHECKING:
    from bot.discord_adapter.client import TriviaBot

__all__ = [
    "NO_PINGS",
    "Reply",
    "SuggestionButton",
    "VoteButton",
    "answer_view",
    "asker_id",
    "reply_for",
]

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
BUTTON_LABEL_LIMIT = 80
MAX_BUTTONS = 3


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send for one match; `private` replies are ephemeral where that exists."""

    embed: discord.Embed
    view: discord.ui.View | None
    private: bool
    outcome: Outcome

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments shared by every send method (a view only when there is one)."""
        kwargs: dict[str, Any] = {"embed": self.embed, "allowed_mentions": NO_PINGS}
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs


def reply_for(match: Match, fact_base: FactBase, *, question_id: int | None = None) -> Reply:
    """An answer embed (one field per answer when a message asked several things); a "did
    you mean" with up to 3 buttons; or a decline (private). `question_id` is the kept
    question's row, carried by the buttons so a click or a 👍 confirms what it meant."""
    answered = match.answered_facts
    if len(answered) > 1:
        view = answers_view(tuple(f.id for f in answered), question_id)
        return Reply(answers_embed(answered, match.question), view, False, match.outcome)
    if match.outcome is Outcome.ANSWER and match.fact is not None:
        embed = answer_embed(match.fact, match.question)
        return Reply(embed, answer_view(match.fact.id, question_id), False, match.outcome)
    if match.outcome is Outcome.SUGGEST and match.suggestions:
        view = discord.ui.View(timeout=None)
        for suggestion in match.suggestions[:MAX_BUTTONS]:
            label = as_question(suggestion.question)
            view.add_item(SuggestionButton(suggestion.fact_id, label, question_id))
        return Reply(suggest_embed(match), view, True, match.outcome)
    return Reply(decline_embed(fact_base), None, True, Outcome.DECLINE)


def answer_view(fact_id: str, question_id: int | None = None) -> discord.ui.View:
    """👍 / 👎 under an answer; they work after a restart (the custom ids say it all)."""
    return answers_view((fact_id,), question_id)


def answers_view(fact_ids: tuple[str, ...], question_id: int | None = None) -> discord.ui.View:
    """👍 / 👎 for each answer (numbered when there are several), one row per answer."""
    view = discord.ui.View(timeout=None)
    ids = fact_ids[:MAX_BUTTONS]
    for row, fact_id in enumerate(ids):
        label = str(row + 1) if len(ids) > 1 else None
        for vote in (1, -1):
            view.add_item(VoteButton(fact_id, vote, question_id, label=label, row=row))
    return view


ButtonCallback = Callable[[Any, "discord.Interaction[TriviaBot]"], Awaitable[None]]


def _answering(callback: ButtonCallback) -> ButtonCallback:
    """A button's callback where an interaction Discord no longer knows (its window closed)
    costs one short line, not a traceback from the view's error handler."""

    @functools.wraps(callback)
    async def answer(item: Any, interaction: discord.Interaction[TriviaBot]) -> None:
        try:
            await callback(item, interaction)
        except discord.HTTPException as exc:
            if not is_lost_interaction(exc):
                raise
            log.warning("button interaction %s lost: Discord no longer knows it", interaction.id)

    return answer


def _question_suffix(question_id: int | None) -> str:
    return f":q{question_id}" if question_id is not None else ""


async def _confirm(
    interaction: discord.Interaction[TriviaBot], question_id: int | None, fact_id: str, how: str
) -> None:
    """Record that this person confirmed the kept question meant this fact (never shown)."""
    if question_id is None:
        return
    store = interaction.client.store
    try:
        voter = await store.voter_key(interaction.user.id)
        await store.confirm(question_id, fact_id, how, voter)
    except STORE_FAILURES:
        log.exception("could not record a confirmation (interaction %s)", interaction.id)


class SuggestionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"trivia:fact:(?P<fact_id>[\w.-]{1,80})(?::q(?P<question>\d{1,18}))?",
):
    """A "did you mean" button; its custom id names the fact (and the kept question), so it
    works after a restart."""

    def __init__(self, fact_id: str, label: str = "Answer", question_id: int | None = None) -> None:
        if len(label) > BUTTON_LABEL_LIMIT:
            label = label[: BUTTON_LABEL_LIMIT - 1] + "…"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"trivia:fact:{fact_id}{_question_suffix(question_id)}",
            )
        )
        self.fact_id = fact_id
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SuggestionButton:
        question = match["question"]
        return cls(match["fact_id"], question_id=int(question) if question else None)

    @_answering
    async def callback(self, interaction: discord.Interaction[TriviaBot]) -> None:  # type: ignore[override]
        """The asker's click answers in place of the suggestions (and confirms what their
        question meant); anyone else's gets the answer privately, leaving the message be."""
        fact_base = interaction.client.live.matcher.fact_base
        fact = fact_base.get(self.fact_id)
        if fact is None:
            await send_private(interaction, "That fact is no longer in the fact base.")
            return
        embed = answer_embed(fact, fact.questions[0])
        if asker_id(interaction.message) != interaction.user.id:
            await interaction.response.send_message(
                embed=embed, view=answer_view(fact.id), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        await interaction.response.edit_message(
            embed=embed, view=answer_view(fact.id, self.question_id), allowed_mentions=NO_PINGS
        )
        await _confirm(interaction, self.question_id, fact.id, "click")


def asker_id(message: discord.Message | None) -> int | None:
    """Who asked the question a reply answers: the command's user, or the author of the
    message it replies to (None when neither is known)."""
    if message is None:
        return None
    if message.interaction_metadata is not None:
        return message.interaction_metadata.user.id
    reference = message.reference
    if reference is not None and isinstance(reference.resolved, discord.Message):
        return reference.resolved.author.id
    return None


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"trivia:vote:(?P<vote>up|down):(?P<fact_id>[\w.-]{1,80})(?::q(?P<question>\d{1,18}))?",
):
    """👍 or 👎 on an answer: one vote per person per fact in a server, which they may change."""

    def __init__(
        self,
        fact_id: str,
        vote: int,
        question_id: int | None = None,
        *,
        label: str | None = None,
        row: int | None = None,
    ) -> None:
        up = vote > 0
        super().__init__(
            discord.ui.Button(
                emoji="👍" if up else "👎",
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"trivia:vote:{'up' if up else 'down'}:{fact_id}"
                f"{_question_suffix(question_id)}",
                row=row,
            )
        )
        self.fact_id = fact_id
        self.vote = 1 if up else -1
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VoteButton:
        question = match["question"]
        vote = 1 if match["vote"] == "up" else -1
        return cls(match["fact_id"], vote, int(question) if question else None)

    @_answering
    async def callback(self, interaction: discord.Interaction[TriviaBot]) -> None:  # type: ignore[override]
        """Store the vote (one per person per fact in a server) and thank the voter privately;
        a vote for a fact the live base does not hold (removed, or a forged id) is refused."""
        if interaction.client.live.matcher.fact_base.get(self.fact_id) is None:
            log.info(
                "vote for a fact not in the fact base refused (interaction %s)", interaction.id
            )
            await send_private(interaction, "That answer is no longer available; vote not counted.")
            return
        store = interaction.client.store
        try:
            voter = await store.voter_key(interaction.user.id)
            earlier = await store.record_vote(
                voter, interaction.guild_id or 0, self.fact_id, self.vote
            )
        except STORE_FAILURES:
            log.exception("could not record a vote (interaction %s)", interaction.id)
            await send_private(interaction, "Sorry, I couldn't record that vote just now.")
            return
        if self.vote > 0:
            await _confirm(interaction, self.question_id, self.fact_id, "thumb")
        thumb = "👍" if self.vote > 0 else "👎"
        if earlier is None:
            text = f"Thanks for the {thumb}."
        elif earlier == self.vote:
            text = f"You had already given this a {thumb}."
        else:
            text = f"Changed your vote to {thumb}."
        await send_private(interaction, text)
