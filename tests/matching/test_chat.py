"""Which chat messages read as questions (only those are considered in listening channels)."""

from __future__ import annotations

import pytest

from bot.matching.chat import reads_as_question


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
