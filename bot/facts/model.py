"""Frozen values of the fact base: what the loader produces and the matcher reads."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DECLINE",
    "MAX_EXAMPLES_PER_FILE",
    "MAX_FACTS",
    "MAX_FILE_BYTES",
    "MAX_FOLDER_BYTES",
    "MAX_PHRASINGS",
    "AnswerKind",
    "Example",
    "Fact",
    "FactBase",
    "Lexicon",
    "Show",
    "Topic",
]

MAX_SOURCE_WORDS = 25
# What a facts folder may hold, several times today's (152 KB the largest file, 1.8 MB in all,
# 53 facts, at most 49 phrasings a fact, 615 examples in the largest set): beyond that it is
# a runaway script or a wrong folder, and a reload would take minutes and gigabytes.
MAX_FILE_BYTES = 1_000_000
MAX_FOLDER_BYTES = 8_000_000  # every YAML file of the folder and its examples together
MAX_FACTS = 1_000
MAX_PHRASINGS = 200
MAX_EXAMPLES_PER_FILE = 5_000


class Topic(StrEnum):
    """The fixed vocabulary of topics a fact can belong to."""

    CAST = "cast"
    CHARACTER = "character"
    PREMISE = "premise"
    STORY = "story"
    FRANCHISE = "franchise"
    PRODUCTION = "production"
    STYLE = "style"
    THEMES = "themes"
    RECEPTION = "reception"


class AnswerKind(StrEnum):
    """What kind of answer a fact gives, matched against what a question asks for."""

    PERSON = "person"
    PLACE = "place"
    TITLE = "title"
    REASON = "reason"
    DATE = "date"
    NUMBER = "number"
    DESCRIPTION = "description"


# Pydantic v2 never turns numbers into strings, so a stray `answer: 42` is an error.
_STRICT = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Fact(BaseModel):
    """One curated fact: how people ask for it, our answer, and the article's words."""

    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$", max_length=80)
    topic: Topic
    gives: tuple[AnswerKind, ...] = Field(min_length=1)
    about: tuple[str, ...] = ()
    questions: tuple[str, ...] = Field(min_length=1, max_length=MAX_PHRASINGS)
    answer: str = Field(min_length=1)
    source: str = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _questions_not_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not q.strip() for q in value):
            raise ValueError("a question phrasing is empty")
        return value

    @field_validator("source")
    @classmethod
    def _source_is_short(cls, value: str) -> str:
        words = len(value.split())
        if words > MAX_SOURCE_WORDS:
            raise ValueError(f"source excerpt has {words} words; at most {MAX_SOURCE_WORDS}")
        return value


class Show(BaseModel):
    """How the bot names the show it knows and introduces itself."""

    model_config = _STRICT

    name: str = Field(default="the show", min_length=1, max_length=60)
    # For help and hints: "the TV series *Name* (on its network, in its franchise)".
    about: str = Field(default="the show", min_length=1, max_length=200)
    # The wider franchise, for the /franchise digest's title ("the Name universe").
    franchise: str = Field(default="its franchise", min_length=1, max_length=60)


class Lexicon(BaseModel):
    """Names and terms: each canonical key with the ways people write it."""

    model_config = _STRICT

    show: Show = Field(default_factory=Show)

    entities: Mapping[str, tuple[str, ...]] = Field(default_factory=dict)
    terms: Mapping[str, tuple[str, ...]] = Field(default_factory=dict)
    ambient: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    unrelated: tuple[str, ...] = ()
    # Phrases that start like a count or date question but ask something the facts answer
    # in words ("how old is the murder": decades-old).
    open_questions: tuple[str, ...] = ()
    # Actors and characters offered by /cast, entity key -> the name as shown.
    cast: Mapping[str, str] = Field(default_factory=dict)


DECLINE = "decline"  # an example's `expect` when no fact answers it


def _expected(value: object) -> object:
    """`decline` (no fact answers) is the empty tuple; a list of ids stays as it is."""
    return () if value == DECLINE else value


class Example(BaseModel):
    """A labelled question the model learns from: the facts that answer it (best first),
    none if it must be declined, and for a message asking two things, each part's facts."""

    model_config = _STRICT

    q: str = Field(min_length=1, max_length=2000)
    expect: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...] = ()
    kind: str = ""
    note: str = ""

    @field_validator("expect", mode="before")
    @classmethod
    def _expect_decline(cls, value: object) -> object:
        return _expected(value)

    @field_validator("parts", mode="before")
    @classmethod
    def _parts_decline(cls, value: object) -> object:
        return [_expected(part) for part in value] if isinstance(value, list) else value

    @property
    def fact_ids(self) -> tuple[str, ...]:
        """Every fact id the example names, in its answer and its parts."""
        return (*self.expect, *(i for part in self.parts for i in part))


class FactBase:
    """An immutable, validated set of facts with their lexicon and labelled examples
    (`examples` maps an example file's name to its questions)."""

    __slots__ = ("_by_id", "examples", "facts", "lexicon", "source_dir")

    def __init__(
        self,
        facts: tuple[Fact, ...],
        lexicon: Lexicon,
        source_dir: str = "",
        examples: Mapping[str, tuple[Example, ...]] | None = None,
    ) -> None:
        self.facts = facts
        self.lexicon = lexicon
        self.source_dir = source_dir
        self.examples: Mapping[str, tuple[Example, ...]] = MappingProxyType(dict(examples or {}))
        self._by_id: Mapping[str, Fact] = MappingProxyType({f.id: f for f in facts})

    def __len__(self) -> int:
        return len(self.facts)

    def get(self, fact_id: str) -> Fact | None:
        """The fact with this id, or None."""
        return self._by_id.get(fact_id)

    @property
    def phrasing_count(self) -> int:
        """How many question phrasings the facts hold in all."""
        return sum(len(f.questions) for f in self.facts)
