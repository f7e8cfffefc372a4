"""The fact index: each fact's terms, their weights, and an inverted index for pruning."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from bot.facts.model import Fact, FactBase
from bot.matching.language import commonness
from bot.matching.terms import (
    ENTITY,
    OUT_OF_SCOPE,
    SYNONYM,
    UNRELATED,
    TermAnalyzer,
)

__all__ = ["FactEntry", "FactIndex", "PhrasingEntry"]

# Credit a fact earns for a question term found only in its answer or source, not in any
# phrasing: the answer mentions it, but nobody asked for the fact that way.
ANSWER_TERM_CREDIT = 0.6
# Weights of question terms that no fact contains, from how rare the word is in English.
UNKNOWN_WORD_WEIGHT = (0.15, 1.2)
OUT_OF_SCOPE_WEIGHT = 2.0
AMBIENT_WEIGHT = 0.08
NUMBER_WEIGHT = 1.0
PLAIN_WORD_FLOOR = 0.2


@dataclass(frozen=True, slots=True)
class PhrasingEntry:
    """One question phrasing of a fact, analysed once at build time."""

    text: str
    terms: frozenset[str]
    surface: str
    plain_words: tuple[tuple[str, str], ...]
    weights: dict[str, float] = field(default_factory=dict, compare=False)
    total: float = 0.0


@dataclass(frozen=True, slots=True)
class FactEntry:
    """A fact with the terms that explain a question about it."""

    fact: Fact
    phrasings: tuple[PhrasingEntry, ...]
    phrasing_terms: frozenset[str]
    answer_terms: frozenset[str]
    # term -> positions of the phrasings that contain it, so scoring visits only those
    term_phrasings: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)

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
        self.entries = tuple(self._weigh(entry) for entry in self.entries)

    def _weigh(self, entry: FactEntry) -> FactEntry:
        """Attach each phrasing's term weights, fixed once the index is built."""
        phrasings = []
        for phrasing in entry.phrasings:
            words = dict(phrasing.plain_words)
            weights = {t: self.weight(t, words.get(t, "")) for t in phrasing.terms}
            phrasings.append(replace(phrasing, weights=weights, total=sum(weights.values())))
        by_term: dict[str, list[int]] = defaultdict(list)
        for position, phrasing in enumerate(phrasings):
            for term in phrasing.terms:
                by_term[term].append(position)
        term_phrasings = {term: tuple(positions) for term, positions in by_term.items()}
        return replace(entry, phrasings=tuple(phrasings), term_phrasings=term_phrasings)

    def _entry(self, fact: Fact) -> FactEntry:
        phrasings = tuple(
            PhrasingEntry(q, frozenset(a.terms), a.surface, a.plain_words)
            for q in fact.questions
            for a in (self.analyzer.analyze(q),)
        )
        # A number in a phrasing ("episode 1") is never evidence: "what's 2+2" is not about it.
        asked = frozenset(t for p in phrasings for t in p.terms if not t.isdigit())
        asked |= {f"{ENTITY}{key}" for key in fact.about}
        said = frozenset(self.analyzer.analyze(f"{fact.answer} {fact.source}").terms)
        return FactEntry(fact, phrasings, asked, said - asked)

    def weight(self, term: str, word: str = "") -> float:
        """How much a question term says about which fact is meant; `word` is the word a
        plain (stemmed) term came from."""
        if term in self.analyzer.ambient:
            return AMBIENT_WEIGHT
        if term[0] in (OUT_OF_SCOPE, UNRELATED):
            return OUT_OF_SCOPE_WEIGHT
        if term.isdigit():
            return NUMBER_WEIGHT
        idf = self._idf.get(term)
        if idf is not None and term[0] in (ENTITY, SYNONYM):
            return max(idf, 1.0) if term[0] == ENTITY else idf
        # Plain words: a small fact base makes any word look specific, so an everyday word
        # ("main", "work") is damped by how common it is in English; a rare one keeps weight.
        rarity = _rarity(max(commonness(term), commonness(word)))
        if idf is not None:
            return idf * min(1.0, max(PLAIN_WORD_FLOOR, rarity))
        low, high = UNKNOWN_WORD_WEIGHT
        return min(high, max(low, rarity))

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


def _rarity(zipf: float) -> float:
    """1 for a rare English word (Zipf 3), falling to 0 at Zipf 5.5."""
    return (5.5 - zipf) / 2.5
