"""Question analysis: words -> corrected words -> content terms (entities, synonyms, stems)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.facts.model import AnswerKind, FactBase, Lexicon
from bot.matching.language import FUNCTION_WORDS, QUESTION_WORDS, asked_kind, commonness, stem
from bot.matching.normalize import clean_text, normalize
from bot.matching.spelling import SpellingCorrector

__all__ = ["AnalyzedText", "Term", "TermAnalyzer", "TermKind"]


class TermKind(StrEnum):
    """What a term of a question is; the value prefixes the term in the model's tokens."""

    ENTITY = "#"  # a named person, show, place or organisation of the lexicon
    SYNONYM = "@"  # an idea of the lexicon, however it is phrased
    OUT_OF_SCOPE = "!"  # something the article never says (a date, a count, a spouse)
    UNRELATED = "~"  # another show, person or thing the fact base is not about
    WORD = "="  # any other content word, stemmed


@dataclass(frozen=True, slots=True)
class Term:
    """One content term: its kind and its key (a lexicon key, a phrase, or a stem)."""

    kind: TermKind
    key: str

    def __str__(self) -> str:
        return f"{self.kind.value}{self.key}"


_MAX_PHRASE_WORDS = 6
# A capitalised unknown word this common in English is an everyday word, not a name.
NAME_MAX_ZIPF = 4.6
# Chat openers that carry no topic but contain topic-looking words ("meaning", "question").
_FILLER = re.compile(
    r"\b(?:been meaning to ask|meaning to ask|i was wondering|just wondering|random question|"
    r"quick question|dumb question|stupid question|does anyone know|anyone know|(?:any|no) idea|"
    r"can someone tell me|can anyone tell me|not gonna lie|to be honest|asking for a friend|"
    r"real talk|for real|help me out|"
    r"would you (?:call|say|describe) (?:it|this|the show)(?: as| is)?|"
    r"my (?:mom|mum|dad|mother|father|friend|wife|husband|bf|gf|partner|roommate|brother|sister|"
    r"cousin|coworker|boss|kid|son|daughter)s? (?:keeps? asking(?: me)?|asked(?: me)?|"
    r"wants? to know|was asking(?: me)?|is asking(?: me)?)|"
    r"(?:sorry )?if (?:this|that) (?:was|has been|got) asked(?: before| already)?|"
    r"been (?:binging|bingeing|binge watching|watching)|what(?:'s| is) the deal with|"
    r"good (?:morning|afternoon|evening|night|luck|job|bot|point|one|game)|gg)\b",
    re.IGNORECASE,
)
# "what about the cinematography" asks to be told about it, not what it is "about".
_TELL_ME = re.compile(r"^\s*(?:(?:so|and|ok|okay|but)\s+)?(?:what|how) about\b", re.IGNORECASE)
# Words that only colour a sentence; dropped so "is the show actually good" reads as the
# alias "is the show good".
_INTENSIFIERS = frozenset(
    "actually really literally honestly basically even seriously truly kinda sorta lowkey "
    "highkey ngl tbh fr totally".split()
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)\b")
# Quotation marks, and an apostrophe opening a word ('labyrinth of lies'), not one inside it.
_QUOTED = re.compile(r"[\"“”«»]|(?:^|\s)['‘]\w")


def _variants(table: Mapping[str, tuple[str, ...]]) -> list[str]:
    return [variant for variants in table.values() for variant in variants]


@dataclass(frozen=True, slots=True)
class AnalyzedText:
    """A question (or phrasing) as the matcher sees it, read once.

    `names` are capitalised words we do not know (likely another person or show);
    `question_word` is the first question word; `question_mark` and `quoted` say whether
    the text asked with a question mark or put words in quotation marks.
    """

    words: tuple[str, ...]
    terms: tuple[Term, ...]
    asks: AnswerKind | None
    names: frozenset[str] = frozenset()
    question_word: str | None = None
    question_mark: bool = False
    quoted: bool = False

    def has(self, kind: TermKind) -> bool:
        """Whether any term is of this kind."""
        return any(t.kind is kind for t in self.terms)


class TermAnalyzer:
    """Maps text to terms using the lexicon, after correcting typos against the vocabulary."""

    def __init__(self, lexicon: Lexicon, known_words: Iterable[str]) -> None:
        self._phrases: dict[tuple[str, ...], Term] = {}
        for kind, table in ((TermKind.ENTITY, lexicon.entities), (TermKind.SYNONYM, lexicon.terms)):
            for key, variants in table.items():
                for variant in (*variants, key.replace("_", " ")):
                    self._add_phrase(variant, Term(kind, key))
        for kind, phrases in (
            (TermKind.OUT_OF_SCOPE, lexicon.out_of_scope),
            (TermKind.UNRELATED, lexicon.unrelated),
        ):
            for phrase in phrases:
                self._add_phrase(phrase, Term(kind, "_".join(normalize(phrase).split())))
        self.ambient = frozenset(
            Term(TermKind.ENTITY if k in lexicon.entities else TermKind.SYNONYM, k)
            for k in lexicon.ambient
        )
        self._open_questions = tuple(normalize(p) for p in lexicon.open_questions)
        aliases = (
            *lexicon.out_of_scope,
            *lexicon.unrelated,
            *_variants(lexicon.entities),
            *_variants(lexicon.terms),
        )
        alias_words = {w for text in aliases for w in normalize(text).split()}
        vocabulary = FUNCTION_WORDS | alias_words
        vocabulary |= {w for text in known_words for w in normalize(text).split()}
        self._spelling = SpellingCorrector(vocabulary, alias_words - FUNCTION_WORDS)

    @classmethod
    def for_fact_base(cls, fact_base: FactBase) -> TermAnalyzer:
        """An analyzer whose spelling vocabulary is the fact base's own words."""
        known = [t for f in fact_base.facts for t in (*f.questions, f.answer, f.source)]
        return cls(fact_base.lexicon, known)

    def _add_phrase(self, text: str, term: Term) -> None:
        words = tuple(stem(w) for w in normalize(text).split())
        if words and len(words) <= _MAX_PHRASE_WORDS:
            self._phrases.setdefault(words, term)

    def analyze(self, text: str) -> AnalyzedText:
        """Normalise, correct and map text to its content terms."""
        cleaned = clean_text(text)
        text = _TELL_ME.sub("tell me", _FILLER.sub(" ", cleaned))
        names = self._names(text)
        words = tuple(self._read_words(normalize(text).split(), names))
        words = tuple(w for w in words if w not in _INTENSIFIERS) or words
        terms = self._terms(words)
        joined = " ".join(words)
        open_question = any(joined.startswith(p) or f" {p}" in joined for p in self._open_questions)
        asks = None if open_question else asked_kind(list(words))
        return AnalyzedText(
            words,
            terms,
            asks,
            names,
            question_word=next((w for w in words if w in QUESTION_WORDS), None),
            question_mark="?" in cleaned,
            quoted=bool(_QUOTED.search(cleaned)),
        )

    def _read_words(self, words: list[str], names: frozenset[str]) -> Iterable[str]:
        """Words as meant: typos corrected, run-together words split, names left alone
        (a capitalised unknown word is a name: "Reacher" must not become "teacher")."""
        for word in words:
            if stem(word) in names:
                yield word
                continue
            fixed = self._spelling.correct(word)
            halves = self._spelling.split(word) if fixed == word else None
            yield from halves or (fixed,)

    def _names(self, text: str) -> frozenset[str]:
        """Unknown capitalised words inside a sentence: names of things we know nothing of.
        Title Case Questions are skipped, as there capitals say nothing, and so are everyday
        words capitalised for emphasis or by habit ("Friday", "Netflix")."""
        cleaned = clean_text(text)
        words = cleaned.split()
        capitals = _CAPITALISED.findall(cleaned)
        if len(capitals) * 2 > len(words):
            return frozenset()
        return frozenset(
            stem(w)
            for word in capitals
            for w in normalize(word).split()
            if w not in self._spelling.known
            and stem(w) not in self._spelling.known_stems
            and commonness(w) < NAME_MAX_ZIPF
        )

    def _terms(self, words: tuple[str, ...]) -> tuple[Term, ...]:
        """Greedy longest-phrase mapping; leftover content words become stems."""
        stems = [stem(w) for w in words]
        terms: list[Term] = []
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
                    terms.append(Term(TermKind.WORD, stems[i]))
                i += 1
        return tuple(dict.fromkeys(terms))
