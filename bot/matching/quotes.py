"""Questions that quote the article ("'labyrinth of lies': what's that about?").

A run of words copied from one fact's source excerpt says which fact is meant more surely
than any paraphrase could: two content words inside quotation marks, five without.
"""

from __future__ import annotations

import re
from collections import defaultdict

from bot.facts.model import FactBase
from bot.matching.language import FUNCTION_WORDS
from bot.matching.normalize import normalize

__all__ = ["MIN_QUOTED_WORDS", "QuoteIndex"]

MIN_QUOTED_WORDS = 3
# Content words a quote must share with one source: fewer if the question marks it as a
# quote (quotation marks), more if not, as plain questions share short runs by chance.
MIN_CONTENT_MARKED, MIN_CONTENT_UNMARKED = 2, 5
# Quotation marks, and an apostrophe opening a word ('labyrinth of lies'), not one inside it.
_QUOTE_MARKED = re.compile(r"[\"“”«»]|(?:^|\s)['‘]\w")


class QuoteIndex:
    """Word trigrams of every source excerpt, to find the fact a question quotes."""

    def __init__(self, fact_base: FactBase) -> None:
        # An excerpt shared by several facts names none of them: it is kept, but ambiguous.
        self._facts: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for fact in fact_base.facts:
            self._facts[tuple(normalize(fact.source).split())].append(fact.id)
        self._trigrams: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
        for source in self._facts:
            for i in range(len(source) - MIN_QUOTED_WORDS + 1):
                self._trigrams[source[i : i + MIN_QUOTED_WORDS]].add(source)

    @staticmethod
    def marked(question: str) -> bool:
        """Whether the question puts something in quotation marks."""
        return bool(_QUOTE_MARKED.search(question))

    def quoted_fact(self, question: str, words: tuple[str, ...]) -> str | None:
        """The one fact whose source the question quotes at greatest length, if any.
        `words` are the question's words as the matcher read them (normalised, corrected)."""
        needed = MIN_CONTENT_MARKED if self.marked(question) else MIN_CONTENT_UNMARKED
        if len(words) < needed:
            return None
        best: dict[tuple[str, ...], int] = {}
        for i in range(len(words) - MIN_QUOTED_WORDS + 1):
            for source in self._trigrams.get(words[i : i + MIN_QUOTED_WORDS], ()):
                best[source] = max(best.get(source, 0), self._run(words, i, source))
        longest = max(best.values(), default=0)
        if longest < needed:
            return None
        leaders = [source for source, run in best.items() if run == longest]
        if len(leaders) != 1 or len(self._facts[leaders[0]]) != 1:
            return None
        return self._facts[leaders[0]][0]

    @staticmethod
    def _run(words: tuple[str, ...], start: int, source: tuple[str, ...]) -> int:
        """Content words in the longest stretch from `start` that the source contains."""
        longest = 0
        for end in range(start + MIN_QUOTED_WORDS, len(words) + 1):
            if not _contains(source, words[start:end]):
                break
            longest = sum(w not in FUNCTION_WORDS for w in words[start:end])
        return longest


def _contains(source: tuple[str, ...], part: tuple[str, ...]) -> bool:
    size = len(part)
    return any(source[i : i + size] == part for i in range(len(source) - size + 1))
