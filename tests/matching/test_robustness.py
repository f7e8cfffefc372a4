"""Robustness on generated variants of the fact base's own phrasings: typos and chatter.

Each check takes phrasings the matcher answers correctly as written, disturbs them in a
seeded, repeatable way, and requires most to still get the same answer.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from bot.facts.model import FactBase
from bot.matching.matcher import Matcher, Outcome

TYPO_KEPT_AT_LEAST = 0.8
# Chatty readings answer only from READING_PROBABILITY (0.8), so a little is declined.
CHATTER_KEPT_AT_LEAST = 0.93
RUN_TOGETHER_KEPT_AT_LEAST = 0.85
CHATTER = [
    "ok so quick question, {q}?",
    "just started watching last night and honestly loved it. {q}?",
    "{q} lol",
    "hey bot, {q}? thanks!",
    "sorry if this was asked before but {q}?",
    "my brother keeps bugging me about this: {q}?",
    "been binging all weekend and now i'm wondering {q}",
    "{q}?? asking for a friend",
]


def _typo(word: str, rng: random.Random) -> str:
    """Drop, swap or replace one inner letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice("dts")
    if kind == "d":
        return word[:i] + word[i + 1 :]
    if kind == "t":
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]


def _with_typos(text: str, rng: random.Random) -> str:
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 4]
    for i in rng.sample(long_words, min(2, len(long_words))):
        words[i] = _typo(words[i], rng)
    return " ".join(words)


def _kept_share(
    matcher: Matcher, fact_base: FactBase, disturb: Callable[[str, random.Random], str]
) -> float:
    rng = random.Random(3)
    kept = total = 0
    for fact in fact_base.facts:
        for phrasing in fact.questions[:6]:
            clean = matcher.match(phrasing)
            if clean.fact is None or clean.fact.id != fact.id:
                continue
            match = matcher.match(disturb(phrasing, rng))
            total += 1
            kept += (
                match.outcome is Outcome.ANSWER
                and match.fact is not None
                and match.fact.id == fact.id
            )
    assert total >= 200
    return kept / total


def test_typos_keep_the_answer(matcher: Matcher, fact_base: FactBase) -> None:
    assert _kept_share(matcher, fact_base, _with_typos) >= TYPO_KEPT_AT_LEAST


def test_chatter_keeps_the_answer(matcher: Matcher, fact_base: FactBase) -> None:
    def chatter(text: str, rng: random.Random) -> str:
        return rng.choice(CHATTER).format(q=text)

    assert _kept_share(matcher, fact_base, chatter) >= CHATTER_KEPT_AT_LEAST


def test_run_together_words_keep_the_answer(matcher: Matcher, fact_base: FactBase) -> None:
    def run_together(text: str, rng: random.Random) -> str:
        words = text.split()
        if len(words) < 2:
            return text
        i = rng.randrange(len(words) - 1)
        return " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])

    assert _kept_share(matcher, fact_base, run_together) >= RUN_TOGETHER_KEPT_AT_LEAST
