"""Match a free-text question to one fact: answer, suggest a few, or decline."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from bot.facts.model import AnswerKind, Fact, FactBase
from bot.matching.index import FactEntry, FactIndex
from bot.matching.terms import ENTITY, OUT_OF_SCOPE, AnalyzedText

__all__ = ["Match", "Matcher", "Outcome", "Suggestion"]

# Thresholds, chosen on the dev set (tests/data/dev_set.yaml); see the README's "Matcher".
ANSWER_SCORE = 0.62  # least score to answer
ANSWER_MARGIN = 0.06  # lead over the best other fact needed to answer...
SURE_SCORE = 0.85  # ...unless the score is at least this
SUGGEST_SCORE = 0.45  # least score for a fact to be offered as "did you mean"
SUGGEST_SPREAD = 0.15  # suggestions stay within this of the best
MAX_SUGGESTIONS = 3
CANDIDATES = 12  # facts fully scored after pruning by the inverted index
# Kinds of answer a question can demand; a fact that cannot give it is not a candidate.
STRICT_KINDS = frozenset({AnswerKind.PERSON, AnswerKind.PLACE, AnswerKind.TITLE})
UNANSWERABLE_KINDS = frozenset({AnswerKind.DATE, AnswerKind.NUMBER})
REASON_PENALTY = 0.1


class Outcome(StrEnum):
    """What the matcher decided."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    DECLINE = "decline"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A fact offered as "did you mean", with the phrasing to show."""

    fact_id: str
    question: str
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's decision for one question."""

    question: str
    outcome: Outcome
    fact: Fact | None = None
    score: float = 0.0
    suggestions: tuple[Suggestion, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class _Scored:
    entry: FactEntry
    score: float
    phrasing: str
    unexplained: tuple[str, ...]


class Matcher:
    """Scores questions against an immutable fact base; knows nothing of Discord."""

    def __init__(self, fact_base: FactBase) -> None:
        self.fact_base = fact_base
        self._index = FactIndex(fact_base)

    def analyze(self, question: str) -> AnalyzedText:
        """The question as the matcher reads it (for debugging and the CLI)."""
        return self._index.analyzer.analyze(question)

    def match(self, question: str) -> Match:
        """Decide how to respond to one question."""
        analyzed = self.analyze(question)
        if not analyzed.terms:
            return Match(question, Outcome.DECLINE, reason="no content words")
        if analyzed.asks in UNANSWERABLE_KINDS:
            return Match(question, Outcome.DECLINE, reason=f"asks for a {analyzed.asks}")
        weights = {t: self._index.weight(t) for t in analyzed.terms}
        ranked = self._rank(analyzed, weights)
        if not ranked:
            return Match(question, Outcome.DECLINE, reason="no fact shares a term")
        return self._decide(question, ranked)

    def _rank(self, analyzed: AnalyzedText, weights: dict[str, float]) -> list[_Scored]:
        total = sum(weights.values())
        scored = []
        for position, _ in self._index.candidates(weights, CANDIDATES):
            entry = self._index.entries[position]
            if analyzed.asks in STRICT_KINDS and analyzed.asks not in entry.fact.gives:
                continue
            covered = sum(w * entry.credit(t) for t, w in weights.items()) / total
            similarity, phrasing = self._best_phrasing(analyzed, weights, entry)
            score = 0.5 * covered + 0.5 * similarity
            if analyzed.asks is AnswerKind.REASON and AnswerKind.REASON not in entry.fact.gives:
                score -= REASON_PENALTY
            unexplained = tuple(t for t in weights if entry.credit(t) == 0.0)
            scored.append(_Scored(entry, score, phrasing, unexplained))
        return sorted(scored, key=lambda s: -s.score)

    def _best_phrasing(
        self, analyzed: AnalyzedText, weights: dict[str, float], entry: FactEntry
    ) -> tuple[float, str]:
        """Weighted term overlap blended with character similarity, best phrasing wins."""
        best = (0.0, entry.fact.questions[0])
        asked = sum(weights.values())
        for phrasing in entry.phrasings:
            shared = sum(w for t, w in weights.items() if t in phrasing.terms)
            extra = sum(self._index.weight(t) for t in phrasing.terms if t not in weights)
            overlap = shared / (asked + extra) if asked + extra else 0.0
            chars = fuzz.ratio(analyzed.surface, phrasing.analyzed.surface) / 100
            similarity = 0.8 * overlap + 0.2 * chars
            if similarity > best[0]:
                best = (similarity, phrasing.text)
        return best

    def _decide(self, question: str, ranked: list[_Scored]) -> Match:
        top = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        blocking = [t for t in top.unexplained if t.startswith((ENTITY, OUT_OF_SCOPE))]
        confident = top.score >= SURE_SCORE or top.score - runner_up >= ANSWER_MARGIN
        if top.score >= ANSWER_SCORE and confident and not blocking:
            return Match(question, Outcome.ANSWER, top.entry.fact, round(top.score, 3))
        if any(t.startswith(OUT_OF_SCOPE) for t in top.unexplained):
            return Match(question, Outcome.DECLINE, score=round(top.score, 3), reason="off scope")
        offered = tuple(
            Suggestion(s.entry.fact.id, s.phrasing, round(s.score, 3))
            for s in ranked[:MAX_SUGGESTIONS]
            if s.score >= SUGGEST_SCORE and s.score >= top.score - SUGGEST_SPREAD
        )
        if offered:
            return Match(question, Outcome.SUGGEST, score=round(top.score, 3), suggestions=offered)
        return Match(question, Outcome.DECLINE, score=round(top.score, 3), reason="low score")
