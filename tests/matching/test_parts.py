"""Splitting a message into its questions, and finding the question clauses of chatter."""

from __future__ import annotations

import pytest

from bot.matching.parts import question_clauses, split_questions


@pytest.mark.parametrize(
    ("message", "questions"),
    [
        (
            "who plays ballard and where can i stream it?",
            ["who plays ballard", "where can i stream it?"],
        ),
        ("who plays her? is it on prime?", ["who plays her?", "is it on prime?"]),
        ("who plays ballard, what is it based on", ["who plays ballard", "what is it based on"]),
        ("who plays ballard", ["who plays ballard"]),
        ("is it dark and gritty?", ["is it dark and gritty?"]),
        ("what is it about and why is it good", ["what is it about", "why is it good"]),
        ("loved it! lol. who plays ballard?", ["loved it! lol. who plays ballard?"]),
    ],
)
def test_split_questions(message: str, questions: list[str]) -> None:
    assert split_questions(message) == questions


@pytest.mark.parametrize(
    ("message", "clauses"),
    [
        ("ok so i loved episode one. who plays ballard?", ["who plays ballard?"]),
        (
            "planning a chill night. is ballard dark or light? don't wanna bum everyone out",
            ["is ballard dark or light?"],
        ),
        ("who plays ballard", []),
    ],
)
def test_question_clauses(message: str, clauses: list[str]) -> None:
    assert question_clauses(message) == clauses
