"""Question analysis: words -> corrected words -> content terms (entities, synonyms, stems)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.facts.model import AnswerKind, Lexicon
from bot.matching.language import FUNCTION_WORDS, QUESTION_WORDS, asked_kind, commonness, stem
from bot.matching.normalize import clean_text, normalize
from bot.matching.spelling import SpellingCorrector

__all__ = ["ENTITY", "OUT_OF_SCOPE", "SYNONYM", "UNRELATED", "AnalyzedText", "TermAnalyzer"]

ENTITY = "#"
SYNONYM = "@"
OUT_OF_SCOPE = "!"
UNRELATED = "~"
# The lexicon term for asking what something is called; such a question wants a name.
NAME_TERM = "@name"
# Asking a book's name ("what are the books called") wants a title, not the author.
NOVEL_TERM, WRITE_TERM = "@novel", "@write"

_MAX_PHRASE_WORDS = 6
# A capitalised unknown word this common in English is an everyday word, not a name.
NAME_MAX_ZIPF = 4.6
# A focus word this common ("deal", "thing") says too little to decide on.
FOCUS_MAX_ZIPF = 5.25
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
# "that new amazon cop show", "the new bosch spinoff": the show described, not a question
# about Amazon, Bosch or cop shows. Plain "the bosch show" is Bosch itself, so Bosch needs "new".
_DESCRIBED = (
    r"(?:amazon|prime|video|bosch ?verse|bosch universe|bosch franchise|connelly|michael|"
    r"cop|crime|detective|police|procedural|tv|streaming)"
)
_SHOW_DESCRIPTION = re.compile(
    r"\b(?:the|that|this) (?:(?:new|newest|latest|recent) )*"
    rf"(?:{_DESCRIBED} )+(?:show|series|drama)\b"
    r"|\b(?:the|that|this) (?:new|newest|latest) bosch (?:show|series|spinoff|spin off|drama)\b"
)
# Words that ask after a name; plural "names" alone ("the names in the boxes") does not.
_NAME_WORDS = frozenset("name called titled named nicknamed".split())
# "what about the cinematography" asks to be told about it, not what it is "about".
_TELL_ME = re.compile(r"^\s*(?:(?:so|and|ok|okay|but)\s+)?(?:what|how) about\b", re.IGNORECASE)
# Words that only colour a sentence; dropped so "is ballard actually good" reads as the
# alias "is ballard good".
_INTENSIFIERS = frozenset(
    "actually really literally honestly basically even seriously truly kinda sorta lowkey "
    "highkey ngl tbh fr totally".split()
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
    surface: str = ""  # the corrected words joined, for character-level similarity
    # plain (stemmed) terms with the word each came from, for how common that word is
    plain_words: tuple[tuple[str, str], ...] = ()

    def word_of(self, term: str) -> str:
        """The word behind a plain term ("" for lexicon terms)."""
        return dict(self.plain_words).get(term, "")


class TermAnalyzer:
    """Maps text to terms using the lexicon, after correcting typos against the vocabulary."""

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

    def _add_phrase(self, text: str, term: str) -> None:
        words = tuple(stem(w) for w in normalize(text).split())
        if words and len(words) <= _MAX_PHRASE_WORDS:
            self._phrases.setdefault(words, term)

    def analyze(self, text: str) -> AnalyzedText:
        """Normalise, correct and map text to its content terms."""
        text = _TELL_ME.sub("tell me", _FILLER.sub(" ", text))
        names = self._names(text)
        words = tuple(self._read_words(normalize(text).split(), names))
        words = tuple(_SHOW_DESCRIPTION.sub("the show", " ".join(words)).split())
        words = tuple(w for w in words if w not in _INTENSIFIERS) or words
        terms, focus, plain_words = self._terms(words)
        asks = asked_kind(list(words))
        if NAME_TERM in terms and NOVEL_TERM in terms and WRITE_TERM not in terms:
            asks = AnswerKind.TITLE  # "what's the first novel called": a book's title
        elif asks is None and NAME_TERM in terms and any(w in _NAME_WORDS for w in words):
            asks = AnswerKind.PERSON  # "her real name", but not "the names in the boxes"
        return AnalyzedText(words, terms, asks, focus, names, " ".join(words), plain_words)

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

    def _terms(
        self, words: tuple[str, ...]
    ) -> tuple[tuple[str, ...], str | None, tuple[tuple[str, str], ...]]:
        """Greedy longest-phrase mapping; leftover content words become stems. Also returns
        the focus (the first telling term after the first question word) and the word behind
        each plain term."""
        stems = [stem(w) for w in words]
        asked_at = next((i for i, w in enumerate(words) if w in QUESTION_WORDS), None)
        terms: list[str] = []
        plain: dict[str, str] = {}
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
                    plain.setdefault(term, words[i])
                i += 1
            if term is None:
                continue
            terms.append(term)
            if focus is None and asked_at is not None and start > asked_at:
                telling = term[0] in (ENTITY, SYNONYM, OUT_OF_SCOPE, UNRELATED)
                if telling or commonness(words[start]) < FOCUS_MAX_ZIPF:
                    focus = term
        return tuple(dict.fromkeys(terms)), focus, tuple(plain.items())
