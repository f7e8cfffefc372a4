"""The curation loop's logic: which questions to keep, grouping them, stats and fact stubs.

Pure: the store supplies rows, the presenters render; nothing here talks to Discord or SQLite.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz

from bot.facts.model import Topic
from bot.matching.matcher import Match, Outcome
from bot.matching.normalize import clean_text, normalize
from bot.privacy import redact_ids
from bot.store.base import ProcessRecord

__all__ = [
    "KEPT_TEXT_CHARS",
    "LOW_CONFIDENCE",
    "SECONDS_PER_DAY",
    "ConfirmedQuestion",
    "LatencyWindow",
    "ProposedExample",
    "QuestionGroup",
    "StatsReport",
    "days_ago",
    "group_questions",
    "keeps_text",
    "loggable_text",
    "proposed_examples",
    "proposed_examples_yaml",
    "stub_facts_yaml",
]

# Answers scoring below this are kept for review too: right, probably, but only just.
LOW_CONFIDENCE = 0.85
KEPT_TEXT_CHARS = 300
# Two questions at least this alike (rapidfuzz token-set ratio of their normalised words)
# are one group: "who plays the sister" and "who plays the politicians sister".
GROUP_SIMILARITY = 80
SECONDS_PER_DAY = 86_400


def keeps_text(match: Match) -> bool:
    """Whether to keep a question's text: declined, suggested, or answered with low confidence."""
    return match.outcome is not Outcome.ANSWER or match.score < LOW_CONFIDENCE


def loggable_text(question: str) -> str:
    """The question as kept: Discord markup (and so any user id in a mention) removed, ids
    typed out redacted, short."""
    return redact_ids(clean_text(question, limit=KEPT_TEXT_CHARS))


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Similar questions: the most asked wording, how often all of them were asked, the rest."""

    example: str
    count: int
    variants: tuple[str, ...] = ()


def group_questions(texts: Iterable[str], *, limit: int = 10) -> list[QuestionGroup]:
    """Group similar questions, most asked first. Greedy: each distinct wording joins the
    first (more asked) group it resembles, else starts one."""
    counts = Counter(t for t in texts if normalize(t))
    by_wording: dict[str, Counter[str]] = {}
    for text, count in counts.items():
        by_wording.setdefault(normalize(text), Counter())[text] += count
    ordered = sorted(by_wording.items(), key=lambda item: -item[1].total())
    groups: list[tuple[str, Counter[str]]] = []
    for wording, texts_here in ordered:
        for leader, members in groups:
            if fuzz.token_set_ratio(wording, leader) >= GROUP_SIMILARITY:
                members.update(texts_here)
                break
        else:
            groups.append((wording, Counter(texts_here)))
    result = []
    for _, members in sorted(groups, key=lambda g: -g[1].total())[:limit]:
        (example, _), *rest = members.most_common()
        result.append(QuestionGroup(example, members.total(), tuple(t for t, _ in rest)))
    return result


class LatencyWindow:
    """The most recent answer times, for p50/p99 since start (bounded memory)."""

    def __init__(self, size: int = 10_000) -> None:
        self._seconds: deque[float] = deque(maxlen=size)

    def add(self, seconds: float) -> None:
        """Record one answer's time."""
        self._seconds.append(seconds)

    def percentile(self, share: float) -> float | None:
        """The time below which `share` of the recorded answers fall, or None if none."""
        if not self._seconds:
            return None
        ordered = sorted(self._seconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass(frozen=True, slots=True)
class StatsReport:
    """What /facts stats and `trivia-bot report` show."""

    facts: int
    phrasings: int
    outcomes: Mapping[str, int]
    votes: Mapping[str, tuple[int, int]]
    since_start: Mapping[str, int] = field(default_factory=dict)
    p50_ms: float | None = None
    p99_ms: float | None = None
    digest: str = ""  # the content hash of the fact base this process serves
    processes: tuple[ProcessRecord, ...] = ()  # the fleet, for the bot's owner
    this_process: str = ""

    @property
    def served(self) -> int:
        """All questions counted."""
        return sum(self.outcomes.values())

    def rate(self, outcome: Outcome) -> float:
        """The share of questions with this outcome (0 when none were asked)."""
        return self.outcomes.get(outcome.value, 0) / self.served if self.served else 0.0

    @property
    def thumbs(self) -> tuple[int, int]:
        """All 👍 and 👎."""
        return (sum(u for u, _ in self.votes.values()), sum(d for _, d in self.votes.values()))

    def least_liked(self, limit: int = 3) -> list[tuple[str, int, int]]:
        """Facts with more 👎 than 👍, worst first: what to fix."""
        disliked = [(f, u, d) for f, (u, d) in self.votes.items() if d > u]
        return sorted(disliked, key=lambda item: item[1] - item[2])[:limit]


def stub_facts_yaml(groups: Iterable[QuestionGroup]) -> str:
    """Stub facts for the top groups, to complete and paste into a file under facts/."""
    topics = " | ".join(t.value for t in Topic)
    lines = [
        "# Stubs from questions the bot could not answer. Complete each from the article,",
        "# or delete it if the article does not say (then the bot is right to decline).",
        "facts:",
    ]
    for number, group in enumerate(groups, start=1):
        slug = "_".join(re.findall(r"[a-z0-9]+", normalize(group.example)))[:40] or "question"
        lines += [
            f"  - id: todo.{slug}",
            f"    topic: premise  # one of: {topics}",
            "    gives: [description]",
            "    about: []",
            f"    questions:  # group {number}: asked {group.count} time(s)",
            *(
                f"      - {json.dumps(q, ensure_ascii=False)}"
                for q in (group.example, *group.variants)
            ),
            "    answer: >-",
            "      TODO: the answer, in our own words",
            "    source: >-",
            "      TODO: a verbatim excerpt of the article, at most 25 words",
        ]
    return "\n".join(lines) + "\n"


def days_ago(days: float, *, now: float | None = None) -> float:
    """The Unix time `days` ago."""
    return (time.time() if now is None else now) - days * SECONDS_PER_DAY


@dataclass(frozen=True, slots=True)
class ProposedExample:
    """A question people confirmed meant a fact, to be approved as a training example."""

    fact_id: str
    question: str
    count: int


class ConfirmedQuestion(Protocol):
    """A kept question, the fact people confirmed it meant, and how many did (a store row)."""

    @property
    def text(self) -> str: ...
    @property
    def fact_id(self) -> str: ...
    @property
    def count(self) -> int: ...


def proposed_examples(
    confirmations: Iterable[ConfirmedQuestion], known_facts: Iterable[str], *, limit: int = 50
) -> list[ProposedExample]:
    """Confirmations grouped by wording and fact, most confirmed first; facts no longer in
    the fact base are left out."""
    known = set(known_facts)
    totals: Counter[tuple[str, str]] = Counter()
    shown: dict[tuple[str, str], str] = {}
    for confirmation in confirmations:
        text, fact_id, count = confirmation.text, confirmation.fact_id, confirmation.count
        if fact_id not in known or not normalize(text):
            continue
        key = (normalize(text), fact_id)
        totals[key] += count
        shown.setdefault(key, text)
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [ProposedExample(fact, shown[(text, fact)], count) for (text, fact), count in ranked]


def proposed_examples_yaml(proposals: Iterable[ProposedExample]) -> str:
    """The proposals as YAML, per fact with counts; `trivia-bot teach FACT "QUESTION"` adds
    one that an admin approves."""
    by_fact: dict[str, list[ProposedExample]] = {}
    for proposal in proposals:
        by_fact.setdefault(proposal.fact_id, []).append(proposal)
    lines = [
        '# Questions people confirmed (a "did you mean" click or a thumbs-up), per fact.',
        '# Approve one with: trivia-bot teach FACT_ID "QUESTION"',
        "proposed_examples:" + ("" if by_fact else " {}"),
    ]
    for fact_id, items in by_fact.items():
        lines.append(f"  {fact_id}:")
        lines += [
            f"    - {{q: {json.dumps(p.question, ensure_ascii=False)}, confirmed: {p.count}}}"
            for p in items
        ]
    return "\n".join(lines) + "\n"
