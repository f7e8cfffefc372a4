"""Plain-text and JSON renderings of a Match, for the CLI and the console."""

from __future__ import annotations

import json
from typing import Any

from bot.facts.model import FactBase, Topic
from bot.matching.matcher import Match, Outcome

__all__ = [
    "DECLINE_TEXT",
    "as_question",
    "known_topics",
    "match_as_dict",
    "match_as_json",
    "match_as_text",
]

DECLINE_TEXT = "The article doesn't say, so I can't answer that."


def match_as_dict(match: Match) -> dict[str, Any]:
    """The stable JSON shape of a match (see README: `trivia-bot ask --json`)."""
    fact = match.fact if match.outcome is Outcome.ANSWER else None
    return {
        "question": match.question,
        "outcome": match.outcome.value,
        "fact_id": fact.id if fact else None,
        "topic": fact.topic.value if fact else None,
        "answer": fact.answer if fact else None,
        "source": fact.source if fact else None,
        "score": match.score,
        "suggestions": [
            {"fact_id": s.fact_id, "question": s.question, "score": s.score}
            for s in match.suggestions
        ],
    }


def match_as_json(match: Match) -> str:
    """One line of JSON."""
    return json.dumps(match_as_dict(match), ensure_ascii=False)


def known_topics(fact_base: FactBase) -> str:
    """The topics the fact base covers, for a decline hint."""
    present = {f.topic for f in fact_base.facts}
    return ", ".join(t.value for t in Topic if t in present)


def as_question(phrasing: str) -> str:
    """'who plays ballard' -> 'Who plays ballard?'"""
    text = phrasing.strip().rstrip("?")
    return f"{text[:1].upper()}{text[1:]}?"


def match_as_text(match: Match, fact_base: FactBase) -> str:
    """A human-readable answer, suggestion list or decline."""
    if match.outcome is Outcome.ANSWER and match.fact is not None:
        return f"{match.fact.answer}\n  Source: “{match.fact.source}”"
    if match.outcome is Outcome.SUGGEST:
        lines = ["Did you mean:"]
        lines += [f"  - {as_question(s.question)}" for s in match.suggestions]
        return "\n".join(lines)
    return f"{DECLINE_TEXT} I know about: {known_topics(fact_base)}."
