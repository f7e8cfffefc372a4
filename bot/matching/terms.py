"""Question analysis: words -> corrected words -> content terms (entities, synonyms, stems)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.facts.model import AnswerKind, Lexicon
from bot.matching.language import FUNCTION_WORDS, QUESTION_WORDS, asked_kind, commonness, stem
from bot.matching.normalize import clean_text, normalize

__all__ = ["ENTITY", "OUT_OF_SCOPE", "SYNONYM", "UNRELATED", "AnalyzedText", "TermAnalyzer"]

ENTITY = "#"
SYNONYM = "@"
OUT_OF_SCOPE = "!"
UNRELATED = "~"
# The lexicon term for asking what something is called; such a question wants a name.
NAME_TERM = "@name"

# A word this common in English is taken as meant, never "corrected" into a known word.
REAL_WORD_ZIPF = 3.3
# Typo correction: the least fuzz.ratio to accept, by word length (short words need more care).
# ...but a real word rarer than this may still be a one-edit typo of one of our names or terms.
# fuzz.ratio (insertions and deletions only) a correction needs, by word length.
_INDEL_CUTOFF = {3: 85.0, 4: 75.0}
_INDEL_CUTOFF_LONG = 80.0
DOMAIN_TYPO_ZIPF = 3.7
EVERYDAY_ZIPF = 5.5
DOMAIN_TYPO_MIN_LENGTH = 5  # short real words ("mod") are too often meant as typed


def _max_edits(length: int) -> int:
    """Edits allowed when correcting a word of this length: none below 3 letters, one up to
    seven, two from eight ("cinematografy")."""
    if length < 3:
        return 0
    return 1 if length < 8 else 2


_MAX_PHRASE_WORDS = 6
_CACHE_LIMIT = 20_000


# A focus word this common ("deal", "thing") says too little to decide on.
FOCUS_MAX_ZIPF = 5.25
# Chat openers that carry no topic but contain topic-looking words ("meaning", "question").
_FILLER = re.compile(
    r"\b(?:been meaning to ask|meaning to ask|i was wondering|just wondering|random question|"
    r"quick question|dumb question|stupid question|does anyone know|anyone know|"
    r"can someone tell me|can anyone tell me|not gonna lie|to be honest|asking for a friend|"
    r"(?:sorry )?if (?:this|that) (?:was|has been|got) asked(?: before| already)?|"
    r"been (?:binging|bingeing|binge watching|watching)|"
    r"good (?:morning|afternoon|evening|night|luck|job|bot|point|one|game)|gg)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)\b")


def _variants(table: Mapping[str, tuple[str, ...]]) -> list[str]:
    return [variant for variants in table.values() for variant in variants]


@dataclass(frozen=True, slots=True)
class AnalyzedText:
    """A question (or phrasing) as the matcher sees it.

    `focus` is the first telling term after the question word ("tone" in "what is the tone
    of ballard"): the thing asked about, which the answering fact must cover. `names` are
    capitalised words we do not know (likely another person or show).
    """

    words: tuple[str, ...]
    terms: tuple[str, ...]
    asks: AnswerKind | None
    focus: str | None = None
    names: frozenset[str] = frozenset()

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
        for prefix, phrases in (
            (OUT_OF_SCOPE, lexicon.out_of_scope),
            (UNRELATED, lexicon.unrelated),
        ):
            for phrase in phrases:
                self._add_phrase(phrase, prefix + "_".join(normalize(phrase).split()))
        self.ambient = frozenset(
            f"{ENTITY}{k}" if k in lexicon.entities else f"{SYNONYM}{k}" for k in lexicon.ambient
        )
        vocabulary = set(FUNCTION_WORDS)
        aliases = (
            *lexicon.out_of_scope,
            *lexicon.unrelated,
            *_variants(lexicon.entities),
            *_variants(lexicon.terms),
        )
        for text in (*aliases, *known_words):
            vocabulary.update(normalize(text).split())
        self._vocabulary = sorted(w for w in vocabulary if w.isalpha())
        # Our own names and terms; everyday words ("want") are nobody's in particular.
        self._domain = sorted(
            {
                w
                for text in aliases
                for w in normalize(text).split()
                if w.isalpha() and commonness(w) < EVERYDAY_ZIPF
            }
            - FUNCTION_WORDS
        )
        self._domain_set = frozenset(self._domain)
        self._known = frozenset(vocabulary)
        self._known_stems = frozenset(stem(w) for w in vocabulary)
        self._corrections: dict[str, str] = {}
        self._stem_words: dict[str, str] = {}

    def _add_phrase(self, text: str, term: str) -> None:
        words = tuple(stem(w) for w in normalize(text).split())
        if words and len(words) <= _MAX_PHRASE_WORDS:
            self._phrases.setdefault(words, term)

    def analyze(self, text: str) -> AnalyzedText:
        """Normalise, correct and map text to its content terms."""
        text = _FILLER.sub(" ", text)
        names = self._names(text)
        # A capitalised unknown word is a name, not a typo: "Reacher" must not become "teacher".
        words = tuple(w if stem(w) in names else self.correct(w) for w in normalize(text).split())
        terms, focus = self._terms(words)
        asks = asked_kind(list(words))
        if asks is None and NAME_TERM in terms:
            asks = AnswerKind.PERSON  # "her real name", "what's the novel called"
        return AnalyzedText(words, terms, asks, focus, names)

    def _names(self, text: str) -> frozenset[str]:
        """Unknown capitalised words inside a sentence: names of things we know nothing of.
        Title Case Questions are skipped, as there capitals say nothing."""
        cleaned = clean_text(text)
        words = cleaned.split()
        capitals = _CAPITALISED.findall(cleaned)
        if len(capitals) * 2 > len(words):
            return frozenset()
        return frozenset(
            stem(w)
            for word in capitals
            for w in normalize(word).split()
            if w not in self._known and stem(w) not in self._known_stems
        )

    def correct(self, word: str) -> str:
        """The known word this one is a typo of, or the word itself."""
        if word in self._known or len(word) < 3 or not word.isalpha():
            return word
        if stem(word) != word and stem(word) in self._known_stems:
            return word  # an inflection of a known word: plays, episodes
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        fixed = word
        zipf = commonness(word)
        if zipf < REAL_WORD_ZIPF:
            fixed = self._closest(word, self._vocabulary, _max_edits(len(word))) or word
        elif zipf < DOMAIN_TYPO_ZIPF and len(word) >= DOMAIN_TYPO_MIN_LENGTH:
            # A rarer real word one edit from a name or term of ours is likelier our word
            # mistyped ("ballad" -> "ballard", "steaming" -> "streaming").
            fixed = self._closest(word, self._domain, 1) or word
        if len(self._corrections) < _CACHE_LIMIT:
            self._corrections[word] = fixed
        return fixed

    def _closest(self, word: str, vocabulary: list[str], edits: int) -> str | None:
        """The vocabulary word this one is most likely a typo of, or None.

        Candidates are within `edits` edits, counting a swap of neighbours as one ("anme" ->
        "name"), or close by insertions and deletions alone ("difrent" -> "different").
        Fewest edits wins, then the closer by insertions and deletions ("wher" -> "where",
        not "when"), then our own names and terms, then the commoner word.
        """
        if edits < 1:
            return None
        loose = 1 - (edits + 0.5) / len(word)
        swaps = process.extract(
            word, vocabulary, scorer=OSA.normalized_similarity, score_cutoff=loose, limit=8
        )
        cutoff = _INDEL_CUTOFF.get(len(word), _INDEL_CUTOFF_LONG)
        drops = process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8)
        candidates = {w for w, _, _ in swaps if OSA.distance(word, w) <= edits}
        candidates |= {w for w, _, _ in drops}
        if not candidates:
            return None
        return min(
            candidates,
            key=lambda w: (
                OSA.distance(word, w),
                -fuzz.ratio(word, w),
                w not in self._domain_set,
                -commonness(w),
            ),
        )

    def commonness_of(self, term: str) -> float:
        """Commonness in English of the word behind a plain (stemmed) term."""
        return max(commonness(term), commonness(self._stem_words.get(term, term)))

    def _terms(self, words: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
        """Greedy longest-phrase mapping; leftover content words become stems.
        Also returns the focus: the first telling term after the first question word."""
        stems = [stem(w) for w in words]
        asked_at = next((i for i, w in enumerate(words) if w in QUESTION_WORDS), None)
        terms: list[str] = []
        focus: str | None = None
        i = 0
        while i < len(stems):
            start = i
            for size in range(min(_MAX_PHRASE_WORDS, len(stems) - i), 0, -1):
                term: str | None = self._phrases.get(tuple(stems[i : i + size]))
                if term is not None:
                    i += size
                    break
            else:
                term = None
                if words[i] not in FUNCTION_WORDS:
                    term = stems[i]
                    if len(self._stem_words) < _CACHE_LIMIT:
                        self._stem_words.setdefault(stems[i], words[i])
                i += 1
            if term is None:
                continue
            terms.append(term)
            if focus is None and asked_at is not None and start > asked_at:
                telling = term[0] in (ENTITY, SYNONYM, OUT_OF_SCOPE, UNRELATED)
                if telling or commonness(words[start]) < FOCUS_MAX_ZIPF:
                    focus = term
        return tuple(dict.fromkeys(terms)), focus
