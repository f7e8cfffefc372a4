"""Floors on every labelled set: right answers, wrong facts, and declines answered.

The example sets in facts/examples/ are what the model learns from, so their floors guard
against a change that stops the model fitting its own data (the honest, held-out figures come
from bench/cross_validation.py and are in the README). The blind sets in tests/data/ are
never trained on and never read by developers: their floors are the honest ones.
"""

from __future__ import annotations

import pytest

from bot.facts.model import FactBase
from bot.matching.evaluation import evaluate, load_question_set
from bot.matching.matcher import Matcher
from tests.conftest import DATA_DIR

# The dev-set bars: 95% of answerable questions right, and wrong answers of both
# kinds together at most 1% of all questions.
DEV_RIGHT_AT_LEAST = 0.95
DEV_ERRORS_AT_MOST = 0.01

# set: (right at least, wrong fact at most, unanswerable answered at most): two points under
# what the matcher reaches today for right answers, about a point over for the errors.
EXAMPLE_FLOORS = {
    "dev": (0.94, 0.01, 0.01),
    "tune": (0.94, 0.01, 0.01),
    "tune2": (0.93, 0.01, 0.01),
    "tune3": (0.96, 0.01, 0.02),
    "tune4": (0.91, 0.01, 0.01),
    "tune5": (0.94, 0.01, 0.01),
    "fans": (0.92, 0.015, 0.025),
    "nonnative": (0.93, 0.01, 0.025),
    "phone": (0.91, 0.01, 0.01),
    "quiz": (0.88, 0.01, 0.02),
    "reading": (0.9, 0.01, 0.015),
    "rambling": (0.77, 0.01, 0.05),
    "older": (0.9, 0.01, 0.025),
    "bookfans": (0.88, 0.01, 0.01),
    "teens": (0.92, 0.01, 0.015),
    "skeptics": (0.9, 0.015, 0.015),
    "paraphrase": (0.9, 0.01, 0.03),
    "newcomers": (0.89, 0.01, 0.01),
    "international": (0.86, 0.01, 0.01),
    "details": (0.9, 0.01, 0.02),
    "chaos": (0.87, 0.01, 0.01),
    "multi": (0.87, 0.02, 0.035),
    "longposts": (0.77, 0.015, 0.035),
    "nearmisses": (0.92, 0.01, 0.01),
    "everyday": (0.91, 0.015, 0.01),
    "watchparty": (0.83, 0.015, 0.035),
    "regulars": (0.9, 0.015, 0.01),
    "edge": (0.9, 0.015, 0.01),
    "casual": (0.9, 0.015, 0.02),
    "out_of_scope": (1.0, 0.0, 0.01),
}
BLIND_FLOORS = {
    "blind_set": (0.84, 0.015, 0.01),
    "blind2_set": (0.88, 0.01, 0.035),
    "blind3_set": (0.86, 0.01, 0.05),
}


def test_every_example_set_has_floors(fact_base: FactBase) -> None:
    assert set(fact_base.examples) == set(EXAMPLE_FLOORS)


def test_dev_set_bars(matcher: Matcher, fact_base: FactBase) -> None:
    report = evaluate(matcher, fact_base.examples["dev"])
    assert report.answerable >= 200
    assert report.unanswerable >= 100
    assert report.right_rate >= DEV_RIGHT_AT_LEAST
    assert report.errors_rate <= DEV_ERRORS_AT_MOST


@pytest.mark.parametrize(("name", "floors"), sorted(EXAMPLE_FLOORS.items()))
def test_example_set_floors(
    matcher: Matcher, fact_base: FactBase, name: str, floors: tuple[float, float, float]
) -> None:
    report = evaluate(matcher, fact_base.examples[name])
    _check(report.right_rate, report.wrong_rate, report.answered_rate, floors, report.misses)


@pytest.mark.parametrize(("name", "floors"), sorted(BLIND_FLOORS.items()))
def test_blind_set_floors(matcher: Matcher, name: str, floors: tuple[float, float, float]) -> None:
    """Totals only: a failure names the figures, never the questions."""
    report = evaluate(matcher, load_question_set(DATA_DIR / f"{name}.yaml"))
    _check(report.right_rate, report.wrong_rate, report.answered_rate, floors, [])


def _check(
    right: float, wrong: float, answered: float, floors: tuple[float, float, float], misses: list
) -> None:
    least_right, most_wrong, most_answered = floors
    detail = "\n".join(f"{q.q!r} -> {got}" for q, got in misses)
    figures = f"right {right:.1%}, wrong fact {wrong:.1%}, declines answered {answered:.1%}"
    assert right >= least_right, f"{figures}\n{detail}"
    assert wrong <= most_wrong, f"{figures}\n{detail}"
    assert answered <= most_answered, f"{figures}\n{detail}"
