"""Score a matcher against labelled questions: right, wrong fact, and declines answered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.facts.model import Example
from bot.matching.matcher import Match, Matcher, Outcome

__all__ = ["Report", "evaluate", "load_question_set"]


@dataclass
class Report:
    """How a matcher did. Among answerable questions: right, and answered with a wrong fact
    (the worst outcome); among the rest: answered at all. Two-part messages are also scored
    part by part."""

    answerable: int = 0
    right: int = 0
    wrong: int = 0
    unanswerable: int = 0
    wrongly_answered: int = 0
    parts: int = 0
    parts_right: int = 0
    misses: list[tuple[Example, str]] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_kind_right: Counter[str] = field(default_factory=Counter)

    @property
    def right_rate(self) -> float:
        """Share of answerable questions answered with an accepted fact."""
        return self.right / self.answerable if self.answerable else 1.0

    @property
    def wrong_rate(self) -> float:
        """Share of answerable questions answered with a fact that does not answer them."""
        return self.wrong / self.answerable if self.answerable else 0.0

    @property
    def answered_rate(self) -> float:
        """Share of unanswerable questions that got an answer (should be near zero)."""
        return self.wrongly_answered / self.unanswerable if self.unanswerable else 0.0

    @property
    def errors_rate(self) -> float:
        """Wrong answers of both kinds, as a share of all questions."""
        total = self.answerable + self.unanswerable
        return (self.wrong + self.wrongly_answered) / total if total else 0.0

    def add(self, other: Report) -> None:
        """Pool another report's counts into this one."""
        for name in ("answerable", "right", "wrong", "unanswerable", "wrongly_answered"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.parts += other.parts
        self.parts_right += other.parts_right
        self.misses += other.misses
        self.by_kind.update(other.by_kind)
        self.by_kind_right.update(other.by_kind_right)

    def summary(self) -> str:
        """One line: right, wrong fact, unanswerable answered."""
        return (
            f"right {self.right}/{self.answerable} ({self.right_rate:.1%}), "
            f"wrong fact {self.wrong} ({self.wrong_rate:.1%}), "
            f"unanswerable answered {self.wrongly_answered}/{self.unanswerable} "
            f"({self.answered_rate:.1%})"
        )


def load_question_set(path: str | Path) -> list[Example]:
    """Read labelled questions: an example file (`examples:` and `decline:`, as in the fact
    base) or a plain YAML list of {q, expect, kind}."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, list):
        return [Example.model_validate(item) for item in data]
    examples = [Example.model_validate(item) for item in data.get("examples", [])]
    return examples + [Example(q=q, expect=()) for q in data.get("decline", [])]


def _answered(match: Match) -> str | None:
    return match.fact.id if match.outcome is Outcome.ANSWER and match.fact else None


def evaluate(matcher: Matcher, questions: Iterable[Example]) -> Report:
    """Run every question through the matcher and tally the outcomes."""
    report = Report()
    for question in questions:
        match = matcher.match(question.q)
        got = _answered(match)
        report.by_kind[question.kind] += 1
        if question.expect:
            report.answerable += 1
            ok = got in question.expect
            report.right += ok
            report.wrong += got is not None and not ok
        else:
            report.unanswerable += 1
            ok = got is None
            report.wrongly_answered += not ok
        report.by_kind_right[question.kind] += ok
        if len(question.parts) > 1:
            report.parts += len(question.parts)
            report.parts_right += _parts_right(match, question)
        if not ok:
            detail = got or match.outcome.value
            if match.outcome is Outcome.SUGGEST:
                detail += " " + ",".join(s.fact_id for s in match.suggestions)
            report.misses.append((question, f"{detail} ({match.score})"))
    return report


def _parts_right(match: Match, question: Example) -> int:
    """How many labelled parts the match got right: each answerable part's fact among the
    answers, and each part to decline not answered by a fact of its own."""
    answered = {f.id for f in match.answered_facts}
    wanted = [set(part) for part in question.parts]
    right = sum(1 for ids in wanted if ids and ids & answered)
    claimed = set().union(*wanted)
    extra = len(answered - claimed)
    declines = sum(1 for ids in wanted if not ids)
    return right + max(0, declines - extra)
