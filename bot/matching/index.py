"""The fact index: each fact's terms, their weights, and an inverted index for pruning."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.facts.model import Fact, FactBase
from bot.matching.terms import ENTITY, OUT_OF_SCOPE, AnalyzedText, TermAnalyzer

__all__ = ["FactEntry", "FactIndex", "PhrasingEntry"]

# Credit a fact earns for a question term found only in its answer or source, not in any
# phrasing: the answer mentions it, but nobody asked for the fact that way.
ANSWER_TERM_CREDIT = 0.6
# Weights of question terms that no fact contains, from how rare the word is in English.
UNKNOWN_WORD_WEIGHT = (0.25, 1.2)
OUT_OF_SCOPE_WEIGHT = 2.0
AMBIENT_WEIGHT = 0.08
NUMBER_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class PhrasingEntry:
    """One question phrasing of a fact, analysed once at build time."""

    text: str
    analyzed: AnalyzedText
    terms: frozenset[str]


@dataclass(frozen=True, slots=True)
class FactEntry:
    """A fact with the terms that explain a question about it."""

    fact: Fact
    phrasings: tuple[PhrasingEntry, ...]
    phrasing_terms: frozenset[str]
    answer_terms: frozenset[str]

    def credit(self, term: str) -> float:
        """How far this fact explains a question term (1 asked-for, 0.6 mentioned, 0)."""
        if term in self.phrasing_terms:
            return 1.0
        return ANSWER_TERM_CREDIT if term in self.answer_terms else 0.0


class FactIndex:
    """Analysed facts plus postings term -> (fact positions, credits)."""

    def __init__(self, fact_base: FactBase) -> None:
        known = [t for f in fact_base.facts for t in (*f.questions, f.answer, f.source)]
        self.analyzer = TermAnalyzer(fact_base.lexicon, known)
        self.entries = tuple(self._entry(fact) for fact in fact_base.facts)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for position, entry in enumerate(self.entries):
            for term in entry.phrasing_terms | entry.answer_terms:
                postings[term].append((position, entry.credit(term)))
        self._postings = {
            term: (
                np.fromiter((p for p, _ in rows), dtype=np.int32, count=len(rows)),
                np.fromiter((c for _, c in rows), dtype=np.float32, count=len(rows)),
            )
            for term, rows in postings.items()
        }
        count = max(len(self.entries), 1)
        self._idf = {
            term: math.log1p(count / len(rows[0])) / math.log1p(count)
            for term, rows in self._postings.items()
        }

    def _entry(self, fact: Fact) -> FactEntry:
        phrasings = tuple(
            PhrasingEntry(q, a, frozenset(a.terms))
            for q in fact.questions
            for a in (self.analyzer.analyze(q),)
        )
        asked = frozenset().union(*(p.terms for p in phrasings))
        asked |= {f"{ENTITY}{key}" for key in fact.about}
        said = frozenset(self.analyzer.analyze(f"{fact.answer} {fact.source}").terms)
        return FactEntry(fact, phrasings, asked, said - asked)

    def weight(self, term: str) -> float:
        """How much a question term says about which fact is meant."""
        if term in self.analyzer.ambient:
            return AMBIENT_WEIGHT
        if term.startswith(OUT_OF_SCOPE):
            return OUT_OF_SCOPE_WEIGHT
        idf = self._idf.get(term)
        if idf is not None:
            return max(idf, 1.0) if term.startswith(ENTITY) else idf
        if term.isdigit():
            return NUMBER_WEIGHT
        # Unknown words: a rare word (a name, another show) weighs more than an everyday one.
        low, high = UNKNOWN_WORD_WEIGHT
        zipf = self.analyzer.commonness_of(term)
        return min(high, max(low, 1.0 - (zipf - 3.0) * 0.4))

    def candidates(self, weights: dict[str, float], limit: int) -> list[tuple[int, float]]:
        """Up to `limit` fact positions with the most weighted credit, best first."""
        scores = np.zeros(len(self.entries), dtype=np.float32)
        for term, weight in weights.items():
            rows = self._postings.get(term)
            if rows is not None:
                scores[rows[0]] += weight * rows[1]
        hits: npt.NDArray[np.intp] = np.flatnonzero(scores)
        if len(hits) > limit:
            hits = hits[np.argpartition(scores[hits], -limit)[-limit:]]
        return sorted(((int(i), float(scores[i])) for i in hits), key=lambda x: -x[1])
