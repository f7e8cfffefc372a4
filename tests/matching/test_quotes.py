"""Questions that quote the article point at the fact whose source they quote."""

from __future__ import annotations

from bot.facts.model import FactBase
from bot.matching.matcher import Matcher, Outcome
from bot.matching.quotes import QuoteIndex


def test_a_quoted_phrase_picks_its_fact(matcher: Matcher) -> None:
    for question, fact_id in [
        ("'labyrinth of lies' — what's that about?", "story.cover_ups"),
        ('"bruised, brilliant, and stubbornly hopeful" — who is that?', "cast.plays_her_human"),
    ]:
        match = matcher.match(question)
        assert match.outcome is Outcome.ANSWER and match.fact is not None, question
        assert match.fact.id == fact_id


def test_a_quote_does_not_answer_what_the_article_never_says(matcher: Matcher) -> None:
    assert matcher.match("when was the 'labyrinth of lies' episode released").fact is None


def test_apostrophes_inside_words_are_not_quotes(fact_base: FactBase) -> None:
    quotes = QuoteIndex(fact_base)
    words = ("what", "is", "a", "labyrinth", "of", "lies")
    assert quotes.quoted_fact("what's a labyrinth of lies", words) is None
    assert quotes.quoted_fact("what's a 'labyrinth of lies'", words) == "story.cover_ups"
