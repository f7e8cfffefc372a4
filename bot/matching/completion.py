"""Autocomplete: the known questions closest to what someone has typed so far."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.facts.model import FactBase
from bot.matching.normalize import normalize

__all__ = ["MAX_CHOICES", "MAX_CHOICE_CHARS", "QuestionCompleter"]

# Discord's limits for autocomplete: 25 choices of at most 100 characters.
MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100
# Below this partial ratio a phrasing has little to do with what was typed.
MIN_SCORE = 60


class QuestionCompleter:
    """Offers phrasings of the fact base, one per fact, closest first."""

    def __init__(self, fact_base: FactBase) -> None:
        self._facts: list[str] = []
        self._phrasings: list[str] = []
        self._normalized: list[str] = []
        for fact in fact_base.facts:
            for phrasing in fact.questions:
                self._facts.append(fact.id)
                self._phrasings.append(_display(phrasing))
                self._normalized.append(normalize(phrasing))
        # With nothing typed yet: the first phrasing of each fact, in fact-base order.
        self._openers = [_display(f.questions[0]) for f in fact_base.facts][:MAX_CHOICES]

    def complete(self, typed: str, limit: int = MAX_CHOICES) -> list[str]:
        """Up to `limit` distinct questions, each short enough for a Discord choice."""
        query = normalize(typed)
        if not query:
            return self._openers[:limit]
        found = process.extract(
            query,
            self._normalized,
            scorer=fuzz.partial_ratio,
            limit=limit * 8,
            score_cutoff=MIN_SCORE,
        )
        seen: set[str] = set()
        choices: list[str] = []
        for _, _, position in found:
            if self._facts[position] in seen:
                continue
            seen.add(self._facts[position])
            choices.append(self._phrasings[position])
            if len(choices) == limit:
                break
        return choices


def _display(phrasing: str) -> str:
    text = phrasing.strip().rstrip("?")
    text = f"{text[:1].upper()}{text[1:]}?"
    return text if len(text) <= MAX_CHOICE_CHARS else text[: MAX_CHOICE_CHARS - 1] + "…"
