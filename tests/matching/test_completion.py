"""Autocomplete for /ask: Discord's limits, closeness, one choice per fact."""

from __future__ import annotations

from bot.facts.model import FactBase
from bot.matching.completion import MAX_CHOICE_CHARS, MAX_CHOICES, QuestionCompleter


def test_nothing_typed_offers_one_question_per_fact(fact_base: FactBase) -> None:
    choices = QuestionCompleter(fact_base).complete("")
    assert len(choices) == min(MAX_CHOICES, len(fact_base))
    assert choices[0] == "Who plays ballard on prime video?"


def test_closest_first_within_limits(fact_base: FactBase) -> None:
    completer = QuestionCompleter(fact_base)
    choices = completer.complete("where can i wat")
    assert "Where can i watch ballard?" in choices[:3]
    assert len(choices) <= MAX_CHOICES
    assert len(set(choices)) == len(choices)
    assert all(len(c) <= MAX_CHOICE_CHARS for c in choices)


def test_noise_offers_nothing(fact_base: FactBase) -> None:
    assert QuestionCompleter(fact_base).complete("\u200b" * 50 + "x" * 4000) == []
