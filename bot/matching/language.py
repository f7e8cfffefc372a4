"""English knowledge the matcher needs, independent of any show: function words, question
shapes, a light stemmer and how common a word is."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from wordfreq import zipf_frequency

from bot.facts.model import AnswerKind

__all__ = ["FUNCTION_WORDS", "QUESTION_WORDS", "asked_kind", "commonness", "stem"]

QUESTION_WORDS = frozenset("what which who whom whose when where why how".split())
# "which critic", "what actress", "name of the cop": a question asking for a person.
_PERSON_NOUNS = (
    "actor actress actors actresses person people critic critics reviewer reviewers writer "
    "writers author director creator creators producer producers cop cops officer officers "
    "detective detectives guy guys girl woman man character characters volunteer volunteers "
    "star stars cast member members"
).split()

# Words that carry no topic: grammar, chat filler, politeness. They never count as evidence.
FUNCTION_WORDS = frozenset(
    """
    a an the and or but if then so of to in on at by for with from into onto about as than
    is are was were be been being am do does did done doing has have had having will would
    shall should can could may might must get gets got getting
    i me my mine you your yours he him his she her hers it its we us our they them their
    this that these those there here what which who whom whose when where why how
    any some all each every no not yes very really just also too still even only much many
    more most less least such same other another own again ever now then once
    one thing things stuff something anything someone anyone somebody anybody
    know knows tell told say please pls plz thanks thank thx ty hey hi hello yo sup
    ok okay lol lmao lmfao rofl omg wow bro bruh dude guys guy man fam ya yeah yep nope
    like kinda sorta gonna wanna actually basically literally honestly seriously
    quick question q qs asking ask wondering wonder curious idea ideas anybody
    lady girl woman guy dude chick person man gal else
    bot trivia help exactly actually right smth sth nah rn tho basically kinda sorta idk
    imo tbh ngl fr lowkey highkey srsly anyway anyways btw also
    mean means meant go goes going went come comes came make makes made
    well way lot lots bit little big kind sort type main
    show shows series
    """.split()
)

# Multi-word openers checked in order; the first that occurs in the question decides.
_ASK_PATTERNS: tuple[tuple[AnswerKind, tuple[str, ...]], ...] = (
    (
        AnswerKind.NUMBER,
        (
            "how many",
            "how much",
            "how old",
            "how long",
            "how tall",
            "how often",
            "what age",
            "what number",
            "number of",
            "how big",
        ),
    ),
    (
        AnswerKind.DATE,
        (
            "when",
            "what year",
            "which year",
            "what date",
            "which date",
            "what day",
            "what time",
            "release date",
            "air date",
            "premiere date",
            "how soon",
            "what month",
            "what decade",
            "which decade",
        ),
    ),
    (AnswerKind.REASON, ("why", "how come", "for what reason")),
    (
        AnswerKind.PERSON,
        (
            "who",
            "whom",
            "whose",
            "which actor",
            "which actress",
            "what actor",
            "what actress",
            "which person",
            "name of",
            "names of",
            "what is the name",
            "what is her name",
            "what is his name",
            "what are the names",
            "what are their names",
            "named",
            *(f"{w} {noun}" for w in ("which", "what") for noun in _PERSON_NOUNS),
        ),
    ),
    (AnswerKind.TITLE, ("where do i know", "where have i seen", "where else", "where i know")),
    (AnswerKind.PLACE, ("where",)),
    (
        AnswerKind.TITLE,
        (
            "what shows",
            "which shows",
            "which show",
            "what other shows",
            "what series",
            "which series",
            "what movies",
            "which movies",
            "what films",
            "which films",
        ),
    ),
)


_Pattern = tuple[int, tuple[str, ...], AnswerKind]


def _split_patterns() -> tuple[dict[str, list[_Pattern]], list[tuple[int, str, AnswerKind]]]:
    """Patterns led by a question word, keyed by it; the others, to find anywhere. Each keeps
    its group's rank: earlier groups (numbers, dates) win over later ones (people)."""
    led: dict[str, list[_Pattern]] = {}
    anywhere: list[tuple[int, str, AnswerKind]] = []
    for rank, (kind, openers) in enumerate(_ASK_PATTERNS):
        for opener in openers:
            words = tuple(opener.split())
            if words[0] in QUESTION_WORDS:
                led.setdefault(words[0], []).append((rank, words, kind))
            else:
                anywhere.append((rank, f" {opener} ", kind))
    return led, anywhere


_LED_PATTERNS, _ANYWHERE_PATTERNS = _split_patterns()


def asked_kind(words: list[str]) -> AnswerKind | None:
    """What kind of answer the question asks for, or None for open and yes/no questions.

    The first question word decides ("what happens when..." is open, not a date); phrases
    such as "release date" or "number of" count wherever they stand.
    """
    first = next((i for i, w in enumerate(words) if w in QUESTION_WORDS), None)
    if first is not None and first > 2 and words[0] in _REQUESTS:
        first = None  # "tell me about the people who serve": "who" is not asking
    if _NOT_A_COUNT.match(" ".join(words[first or 0 :])):
        return None  # "how much of the book is in it": an extent, not a number
    if _ONE_BOOK.search(" ".join(words)):
        return AnswerKind.TITLE
    found: list[tuple[int, AnswerKind]] = []
    if first is not None:
        for rank, pattern, kind in _LED_PATTERNS.get(words[first], ()):
            if tuple(words[first : first + len(pattern)]) == pattern:
                found.append((rank, kind))
    text = f" {' '.join(words)} "
    found += [(rank, kind) for rank, phrase, kind in _ANYWHERE_PATTERNS if phrase in text]
    return min(found, key=lambda pair: pair[0])[1] if found else None


# Not a count or a place, though they start like one: "how much of the book is in it" (an
# extent), "where do you see her grief" (how it shows). A fact base lists its own such phrases
# in its lexicon's `open_questions` ("how old is the murder" when the answer is "decades-old").
_REQUESTS = frozenset("tell explain describe give".split())
_NOT_A_COUNT = re.compile(
    r"how much of\b|where (?:do|can|does) (?:you|one|it) (?:see|show|notice)\b"
)
# "which of his books is it based on": one book, so its title.
_ONE_BOOK = re.compile(r"\bwhich (?:\w+ )?(?:book|novel)\b(?!s)")
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem: joins play/plays/played and create/created, keeps
    care apart from car and tone from ton."""
    if len(word) <= 2 or not word.isalpha():
        return word
    return str(_STEMMER.stemWord(word))


@lru_cache(maxsize=8192)
def commonness(word: str) -> float:
    """How common an English word is on the Zipf scale (0 unknown, 3 rare, 7 'the')."""
    return float(zipf_frequency(word, "en"))
