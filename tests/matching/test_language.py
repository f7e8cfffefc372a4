"""Question shapes and the light stemmer."""

from __future__ import annotations

import pytest

from bot.facts.model import AnswerKind
from bot.matching.language import asked_kind, stem


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("who plays ballard", AnswerKind.PERSON),
        ("which actress is the lead", AnswerKind.PERSON),
        ("what is the name of the cop", AnswerKind.PERSON),
        ("when did it premiere", AnswerKind.DATE),
        ("ballard release date", AnswerKind.DATE),
        ("what year is the case from", AnswerKind.DATE),
        ("how many episodes are there", AnswerKind.NUMBER),
        ("how old is maggie q", AnswerKind.NUMBER),
        ("where is it set", AnswerKind.PLACE),
        ("where do i know her from", AnswerKind.TITLE),
        ("what shows was she in", AnswerKind.TITLE),
        ("why was she exiled", AnswerKind.REASON),
        ("what happens when the system fails", None),
        ("what about the people who serve", None),
        ("is it good", None),
        ("premise", None),
    ],
)
def test_asked_kind(question: str, kind: AnswerKind | None) -> None:
    assert asked_kind(question.split()) is kind


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (["play", "plays", "played", "playing"], True),
        (["star", "stars", "starring"], True),
        (["create", "created", "creates"], True),
        (["episode", "episodes"], True),
        (["watch", "watches", "watching"], True),
        (["case", "cast"], False),
    ],
)
def test_stem_joins_inflections(words: list[str], same: bool) -> None:
    assert (len({stem(w) for w in words}) == 1) is same


def test_an_extent_is_not_a_number() -> None:
    assert asked_kind("how much of the book is in it".split()) is None
    assert asked_kind("how old is maggie q".split()) is AnswerKind.NUMBER
