"""Question analysis: words -> corrected words -> content terms (entities, synonyms, stems)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.facts.model import AnswerKind, Lexicon
from bot.matching.language import FUNCTION_WORDS, asked_kind, commonness, stem
from bot.matching.normalize import normalize

__all__ = ["ENTITY", "OUT_OF_SCOPE", "SYNONYM", "AnalyzedText", "TermAnalyzer"]

ENTITY = "#"
SYNONYM = "@"
OUT_OF_SCOPE = "!"

# A word this common in English is taken as meant, never "corrected" into a known word.
REAL_WORD_ZIPF = 3.3
# Typo correction: the least fuzz.ratio to accept, by word length (short words need more care).
_CORRECTION_CUTOFF = {4: 75.0, 5: 80.0}
_CORRECTION_CUTOFF_LONG = 80.0
_MAX_PHRASE_WORDS = 6
_CACHE_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class AnalyzedText:
    """A question (or phrasing) as the matcher sees it."""

    words: tuple[str, ...]
    terms: tuple[str, ...]
    asks: AnswerKind | None

    @property
    def surface(self) -> str:
        """The corrected words, for character-level similarity."""
        return " ".join(self.words)


class TermAnalyzer:
    """Maps text to terms using the lexicon; corrects typos against the known vocabulary."""

    def __init__(self, lexicon: Lexicon, known_words: Iterable[str]) -> None:
        self._phrases: dict[tuple[str, ...], str] = {}
        for prefix, table in ((ENTITY, lexicon.entities), (SYNONYM, lexicon.terms)):
            for key, variants in table.items():
                for variant in (*variants, key.replace("_", " ")):
                    self._add_phrase(variant, f"{prefix}{key}")
        for phrase in lexicon.out_of_scope:
            self._add_phrase(phrase, OUT_OF_SCOPE + "_".join(normalize(phrase).split()))
        self.ambient = frozenset(
            f"{ENTITY}{k}" if k in lexicon.entities else f"{SYNONYM}{k}" for k in lexicon.ambient
        )
        vocabulary = set(FUNCTION_WORDS)
        for words in self._phrases:
            vocabulary.update(words)
        for text in known_words:
            vocabulary.update(normalize(text).split())
        self._vocabulary = sorted(w for w in vocabulary if w.isalpha())
        self._known = frozenset(vocabulary) | frozenset(stem(w) for w in vocabulary)
        self._corrections: dict[str, str] = {}
        self._stem_words: dict[str, str] = {}

    def _add_phrase(self, text: str, term: str) -> None:
        words = tuple(stem(w) for w in normalize(text).split())
        if words and len(words) <= _MAX_PHRASE_WORDS:
            self._phrases.setdefault(words, term)

    def analyze(self, text: str) -> AnalyzedText:
        """Normalise, correct and map text to its content terms."""
        words = tuple(self.correct(w) for w in normalize(text).split())
        return AnalyzedText(words, self._terms(words), asked_kind(list(words)))

    def correct(self, word: str) -> str:
        """The known word this one is a typo of, or the word itself."""
        if word in self._known or len(word) < 4 or not word.isalpha():
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        fixed = word
        if commonness(word) < REAL_WORD_ZIPF:
            cutoff = _CORRECTION_CUTOFF.get(len(word), _CORRECTION_CUTOFF_LONG)
            best = process.extractOne(
                word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff
            )
            if best is not None:
                fixed = best[0]
        if len(self._corrections) < _CACHE_LIMIT:
            self._corrections[word] = fixed
        return fixed

    def commonness_of(self, term: str) -> float:
        """Commonness in English of the word behind a plain (stemmed) term."""
        return max(commonness(term), commonness(self._stem_words.get(term, term)))

    def _terms(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """Greedy longest-phrase mapping; leftover content words become stems."""
        stems = [stem(w) for w in words]
        terms: list[str] = []
        i = 0
        while i < len(stems):
            for size in range(min(_MAX_PHRASE_WORDS, len(stems) - i), 0, -1):
                term = self._phrases.get(tuple(stems[i : i + size]))
                if term is not None:
                    terms.append(term)
                    i += size
                    break
            else:
                if words[i] not in FUNCTION_WORDS:
                    terms.append(stems[i])
                    if len(self._stem_words) < _CACHE_LIMIT:
                        self._stem_words.setdefault(stems[i], words[i])
                i += 1
        return tuple(dict.fromkeys(terms))
