"""What each outcome sends: answers in public, suggestions as buttons, declines privately."""

from __future__ import annotations

import discord

from bot.discord_adapter.replies import MAX_BUTTONS, SuggestionButton, VoteButton, reply_for
from bot.matching.matcher import Match, Matcher, Outcome, Suggestion


def test_an_answer_is_public_with_feedback_buttons(matcher: Matcher) -> None:
    reply = reply_for(matcher.match("who plays ballard"), matcher.fact_base)
    assert (reply.outcome, reply.private) == (Outcome.ANSWER, False)
    assert reply.view is not None
    ids = [c.custom_id for c in reply.view.children if isinstance(c, VoteButton)]
    assert ids == ["trivia:vote:up:cast.ballard_actor", "trivia:vote:down:cast.ballard_actor"]
    assert reply.send_kwargs()["allowed_mentions"].to_dict()["parse"] == []


def test_a_suggestion_offers_at_most_three_buttons(matcher: Matcher) -> None:
    suggestions = tuple(
        Suggestion(f.id, "a rather long question " * 10, 0.6) for f in matcher.fact_base.facts[:5]
    )
    match = Match("q", Outcome.SUGGEST, suggestions=suggestions)
    reply = reply_for(match, matcher.fact_base)
    assert reply.private and reply.view is not None
    buttons = [c for c in reply.view.children if isinstance(c, SuggestionButton)]
    assert len(buttons) == MAX_BUTTONS
    assert all(len(b.item.label or "") <= 80 for b in buttons)
    assert buttons[0].custom_id == f"trivia:fact:{suggestions[0].fact_id}"
    assert SuggestionButton.__discord_ui_compiled_template__.fullmatch(buttons[0].custom_id)


def test_a_decline_is_private(matcher: Matcher) -> None:
    reply = reply_for(matcher.match("when does season 2 come out"), matcher.fact_base)
    assert (reply.outcome, reply.private) == (Outcome.DECLINE, True)
    assert isinstance(reply.embed, discord.Embed)
