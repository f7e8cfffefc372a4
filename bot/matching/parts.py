"""Split a message into the questions it asks, and find its question clauses.

"who plays her and where can i stream it" asks two things; "i just finished episode one,
loved it. who plays the lead?" asks one, inside chatter. Both are read from punctuation and
question words only, so this knows nothing of any show.
"""

from __future__ import annotations

import re

from bot.matching.normalize import clean_text

__all__ = ["question_clauses", "question_tails", "split_questions"]

MIN_PART_WORDS = 2
_QUESTION_OPENERS = (
    r"who|whom|whose|what|whats|where|when|why|how|which|is|are|was|were|does|did|do|can|could"
    r"|will|would|has|have"
)
# A new question after a question mark, or joined by "and", "also", "plus" and a question word.
_BETWEEN_QUESTIONS = re.compile(
    r"(?<=\?)\s+(?=\S)"
    rf"|\s*[,;]?\s+(?:and|also|plus|&|and also)\s+(?=(?:{_QUESTION_OPENERS})\b)"
    rf"|\s*[,;]\s+(?=(?:who|what|where|when|why|how|which)\b)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\s+[—–]+\s+|\s+-+\s+")
_QUESTION_WORD = re.compile(r"\b(?:who|what|where|when|why|how|which)\b", re.IGNORECASE)
# "... and now i'm wondering the lead's other roles": what is wondered about is the question.
_WONDERING = re.compile(
    r"\b(?:wondering|wonder|curious about|asking about)\b[\s:,]*", re.IGNORECASE
)
_ASKS = re.compile(rf"\?|^\W*(?:{_QUESTION_OPENERS})\b", re.IGNORECASE)


def _asks(piece: str) -> bool:
    return bool(_ASKS.search(piece)) and len(piece.split()) >= MIN_PART_WORDS


def split_questions(text: str) -> list[str]:
    """The separate questions of a message, in order; one item if it asks one thing.

    A piece counts only if it reads as a question (a question mark, or a question word or
    auxiliary first) and has two words or more; chatter between questions is dropped.
    """
    cleaned = clean_text(text)
    pieces = [p.strip(" ,;") for p in _BETWEEN_QUESTIONS.split(cleaned)]
    questions = [p for p in pieces if _asks(p)]
    return questions if len(questions) > 1 else [cleaned]


def question_clauses(text: str) -> list[str]:
    """The sentences of a chatty message that read as questions, last first (the question
    usually closes the message); empty if the message is one sentence."""
    sentences = [s.strip() for s in _SENTENCE_END.split(clean_text(text)) if s.strip()]
    if len(sentences) < 2:
        return []
    return [s for s in reversed(sentences) if _asks(s)]


def question_tails(text: str) -> list[tuple[str, str]]:
    """(lead-in, question) for a message whose question word comes late: "been binging
    all weekend and now i'm wondering who plays her" -> the question from "who" on."""
    cleaned = clean_text(text)
    found = _QUESTION_WORD.search(cleaned)
    if found is not None and found.start() > 0:
        start = found.start()
    elif (wondering := _WONDERING.search(cleaned)) is not None:
        start = wondering.end()
    else:
        return []
    tail = cleaned[start:]
    return [(cleaned[:start], tail)] if len(tail.split()) >= MIN_PART_WORDS else []
