"""Typo correction against a known vocabulary, leaving real English words alone."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.matching.language import commonness, stem

__all__ = ["SpellingCorrector"]

# A word this common in English is taken as meant, never "corrected" into a known word...
REAL_WORD_ZIPF = 3.3
# ...but a rarer real word of five letters or more may still be a one-edit typo of one of our
# own names or terms ("hary" -> "harry"); short ones ("mod") are too often meant as typed.
DOMAIN_TYPO_ZIPF = 3.7
DOMAIN_TYPO_MIN_LENGTH = 5
# Words this common are nobody's own term ("want"), even when an alias uses them.
EVERYDAY_ZIPF = 6.0
# fuzz.ratio (insertions and deletions only) that also makes a candidate, by word length.
_INDEL_CUTOFF = {3: 85.0, 4: 75.0}
_INDEL_CUTOFF_LONG = 80.0
_CACHE_LIMIT = 20_000
_INFLECTIONS = ("s", "ed", "ing")


def _max_edits(length: int) -> int:
    """Edits allowed when correcting a word of this length: none below 3 letters, one up to
    seven, two from eight ("cinematografy")."""
    if length < 3:
        return 0
    return 1 if length < 8 else 2


class SpellingCorrector:
    """Corrects words against a vocabulary, preferring the fact base's own terms in ties."""

    def __init__(self, vocabulary: Iterable[str], own_terms: Iterable[str]) -> None:
        self.known = frozenset(vocabulary)
        self.known_stems = frozenset(stem(w) for w in self.known)
        self._vocabulary = sorted(w for w in self.known if w.isalpha())
        self._own = sorted({w for w in own_terms if w.isalpha() and commonness(w) < EVERYDAY_ZIPF})
        self._own_set = frozenset(self._own)
        self._cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        """The known word this one is a typo of, or the word itself."""
        if word in self.known or len(word) < 3 or not word.isalpha():
            return word
        if word.endswith(_INFLECTIONS) and stem(word) in self.known_stems:
            return word  # an inflection of a known word: plays, episodes, starring
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        fixed = word
        zipf = commonness(word)
        if zipf < REAL_WORD_ZIPF:
            fixed = self._closest(word, self._vocabulary, _max_edits(len(word))) or word
        elif zipf < DOMAIN_TYPO_ZIPF and len(word) >= DOMAIN_TYPO_MIN_LENGTH:
            fixed = self._closest(word, self._own, 1) or word
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[word] = fixed
        return fixed

    def split(self, word: str) -> tuple[str, str] | None:
        """Two known words run together ("whoplays" -> "who", "plays"), or None.

        Only for a word that is neither known nor an English word; among several splits the
        one whose rarer half is commonest wins."""
        if len(word) < 5 or word in self.known or commonness(word) >= REAL_WORD_ZIPF:
            return None
        splits = [
            (word[:i], word[i:])
            for i in range(2, len(word) - 1)
            if word[:i] in self.known and word[i:] in self.known
        ]
        if not splits:
            return None
        return max(splits, key=lambda pair: min(commonness(pair[0]), commonness(pair[1])))

    def _closest(self, word: str, vocabulary: list[str], edits: int) -> str | None:
        """The vocabulary word this one is most likely a typo of, or None.

        Candidates are within `edits` edits, counting a swap of neighbours as one ("anme" ->
        "name"), or close by insertions and deletions alone ("difrent" -> "different").
        Fewest edits wins, then the closer by insertions and deletions ("wher" -> "where", not
        "when"; "evry" -> "every", not "very"), then the same letters swapped ("liek" ->
        "like", not "link"), then our own names and terms, then the commoner word.
        """
        if edits < 1:
            return None
        loose = 1 - (edits + 0.5) / len(word)  # a fast first cut; exact counts decide below
        swaps = process.extract(
            word, vocabulary, scorer=OSA.normalized_similarity, score_cutoff=loose, limit=8
        )
        cutoff = _INDEL_CUTOFF.get(len(word), _INDEL_CUTOFF_LONG)
        drops = process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8)
        candidates = {w for w, _, _ in swaps if OSA.distance(word, w) <= edits}
        candidates |= {w for w, _, _ in drops}
        if not candidates:
            return None
        letters = sorted(word)
        return min(
            candidates,
            key=lambda w: (
                OSA.distance(word, w),
                -fuzz.ratio(word, w),
                sorted(w) != letters,  # the same letters swapped: the likelier slip ("liek")
                w not in self._own_set,
                -commonness(w),
            ),
        )
