"""Which chat messages read as questions (only those are considered in listening channels)."""

from __future__ import annotations

import pytest

from bot.matching.chat import reads_as_question, reads_as_remark
from bot.matching.matcher import Matcher, Outcome


@pytest.mark.parametrize(
    "text",
    [
        "who plays ballard",
        "Is it any good?",
        "does maggie q play her",
        "ballard on prime?",
        "tell me about the cold case unit",
        "<@123456789012345678> where can i watch it",
        "what's the premise",
    ],
)
def test_questions(text: str) -> None:
    assert reads_as_question(text)


@pytest.mark.parametrize(
    "text",
    ["lol same", "ballard is so good omg", "gg", "", "   ", "\u200b\u200b", "@everyone hi", "brb"],
)
def test_chatter(text: str) -> None:
    assert not reads_as_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "ballard is so good omg",
        "that episode last night was wild",
        "im rewatching ballard for the third time lmao",
        "the basement scenes give me chills",
    ],
)
def test_remarks(matcher: Matcher, text: str) -> None:
    assert reads_as_remark(matcher.analyze(text))
    assert matcher.match(text).outcome is Outcome.DECLINE


@pytest.mark.parametrize(
    "text",
    [
        "so is maggie q good in it",
        "ballard is a cop right",
        "is ballard good",
        "ballard good?",
        "my friend wants to know if it is set in la",
        "waht is balard about",
        "maggie q previous roles",
    ],
)
def test_not_remarks(matcher: Matcher, text: str) -> None:
    assert not reads_as_remark(matcher.analyze(text))
