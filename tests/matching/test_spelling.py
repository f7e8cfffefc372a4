"""Typo correction: which words change, and into what."""

from __future__ import annotations

import pytest

from bot.matching.spelling import SpellingCorrector

VOCABULARY = [
    "what",
    "want",
    "where",
    "when",
    "who",
    "plays",
    "ballard",
    "bosch",
    "bench",
    "name",
    "same",
]
OWN_TERMS = ["ballard", "bosch", "plays"]


@pytest.fixture
def corrector() -> SpellingCorrector:
    return SpellingCorrector(VOCABULARY, OWN_TERMS)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("plys", "plays"),  # a dropped letter
        ("balard", "ballard"),
        ("anme", "name"),  # neighbours swapped: one edit, not "same"
        ("waht", "what"),  # swapped; the commoner of equals, not "want"
        ("wher", "where"),  # insert/delete closeness beats a substitution ("when")
        ("bonch", "bosch"),  # our own term wins a tie with an everyday word
        ("ballad", "ballard"),  # a rarer real word one edit from our name
        ("horses", "horses"),  # a real word stays
        ("mod", "mod"),  # short real words stay
        ("xq", "xq"),  # too short to guess
        ("playing", "playing"),  # an inflection of a known word
    ],
)
def test_correct(corrector: SpellingCorrector, typed: str, meant: str) -> None:
    assert corrector.correct(typed) == meant


@pytest.mark.parametrize(
    ("typed", "halves"),
    [
        ("whoplays", ("who", "plays")),
        ("wherewhen", ("where", "when")),
        ("ballard", None),  # known
        ("horses", None),  # an English word
        ("whoxq", None),  # no known halves
    ],
)
def test_split_run_together_words(
    corrector: SpellingCorrector, typed: str, halves: tuple[str, str] | None
) -> None:
    assert corrector.split(typed) == halves


def test_swapped_letters_beat_a_substitution() -> None:
    corrector = SpellingCorrector(["like", "link", "the"], ["link"])
    assert corrector.correct("liek") == "like"
