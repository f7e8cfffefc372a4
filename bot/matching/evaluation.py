"""Score a matcher against a labelled question set (the dev set, or any other)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.matching.matcher import Matcher, Outcome

__all__ = ["LabelledQuestion", "Report", "evaluate", "load_question_set"]

DECLINE = "decline"


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    """A question with the fact ids that answer it (empty: it should be declined)."""

    text: str
    expect: frozenset[str]
    kind: str


@dataclass
class Report:
    """How a matcher did: answerable right, unanswerable answered, and the misses."""

    answerable: int = 0
    right: int = 0
    unanswerable: int = 0
    wrongly_answered: int = 0
    misses: list[tuple[LabelledQuestion, str]] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_kind_right: Counter[str] = field(default_factory=Counter)

    @property
    def right_rate(self) -> float:
        """Share of answerable questions answered with an accepted fact."""
        return self.right / self.answerable if self.answerable else 1.0

    @property
    def answered_rate(self) -> float:
        """Share of unanswerable questions that got an answer (should be near zero)."""
        return self.wrongly_answered / self.unanswerable if self.unanswerable else 0.0


def load_question_set(path: str | Path) -> list[LabelledQuestion]:
    """Read a YAML list of {q, expect, kind}; expect is a list of fact ids or 'decline'."""
    items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out = []
    for item in items:
        expect = item["expect"]
        ids = frozenset() if expect == DECLINE else frozenset(expect)
        out.append(LabelledQuestion(str(item["q"]), ids, str(item.get("kind", ""))))
    return out


def evaluate(matcher: Matcher, questions: list[LabelledQuestion]) -> Report:
    """Run every question through the matcher and tally the outcomes."""
    report = Report()
    for question in questions:
        match = matcher.match(question.text)
        got = match.fact.id if match.fact else match.outcome.value
        report.by_kind[question.kind] += 1
        if question.expect:
            report.answerable += 1
            ok = match.outcome is Outcome.ANSWER and got in question.expect
            report.right += ok
        else:
            report.unanswerable += 1
            ok = match.outcome is not Outcome.ANSWER
            report.wrongly_answered += not ok
        report.by_kind_right[question.kind] += ok
        if not ok:
            detail = got
            if match.outcome is Outcome.SUGGEST:
                detail += " " + ",".join(s.fact_id for s in match.suggestions)
            report.misses.append((question, f"{detail} ({match.score})"))
    return report
