"""Embeds stay inside Discord's limits whatever the fact base holds, and cite the source."""

from __future__ import annotations

import unicodedata

from bot.facts.loader import LoadProblem
from bot.facts.model import AnswerKind, Fact, FactBase, Lexicon, Show, Topic
from bot.live import FactBaseChanges, ReloadResult
from bot.presenters.embeds import (
    answer_embed,
    answers_embed,
    decline_embed,
    help_embed,
    reload_embed,
    topic_embed,
)

EMBED_TOTAL = 6000


def long_fact(n: int, topic: Topic = Topic.PREMISE) -> Fact:
    return Fact(
        id=f"premise.long_{n}",
        topic=topic,
        gives=(AnswerKind.DESCRIPTION,),
        questions=("what is a very long question " + "and more " * 40,),
        answer="An answer that goes on. " * 400,
        source="Ballard is not your typical procedural lead.",
    )


def test_an_answer_cites_its_source(fact_base: FactBase) -> None:
    fact = fact_base.get("cast.ballard_actor")
    assert fact is not None
    embed = answer_embed(fact, "who plays ballard")
    assert embed.title == "Who plays ballard?"
    assert embed.description == fact.answer
    assert fact.source in embed.fields[0].value
    assert embed.footer.text == "Topic: cast"


def test_long_texts_are_clipped_to_the_limits() -> None:
    embed = answer_embed(long_fact(0), "x" * 1000)
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed) <= EMBED_TOTAL
    base = FactBase(tuple(long_fact(i) for i in range(30)), Lexicon())
    digest = topic_embed(base, Topic.PREMISE, "The premise")
    assert digest is not None
    assert len(digest) <= EMBED_TOTAL and len(digest.fields) <= 25


def test_every_shipped_topic_digest_fits(fact_base: FactBase) -> None:
    for topic in Topic:
        embed = topic_embed(fact_base, topic, topic.value)
        assert embed is not None, topic
        assert len(embed) <= EMBED_TOTAL
        assert embed.description and "> " in embed.description  # the lead fact's source


def test_an_empty_topic_has_no_digest() -> None:
    assert topic_embed(FactBase((), Lexicon()), Topic.CAST, "Cast") is None


def test_decline_and_help_name_the_topics(fact_base: FactBase) -> None:
    assert "cast" in decline_embed(fact_base).fields[0].value
    embed = help_embed(fact_base, ["who plays ballard"])
    assert any("Who plays ballard?" in f.value for f in embed.fields)
    assert len(embed) <= EMBED_TOTAL


def test_a_refused_reload_lists_every_problem_within_limits() -> None:
    problems = tuple(LoadProblem("cast.yaml", i, "facts[0].id", "bad " * 10) for i in range(500))
    embed = reload_embed(ReloadResult(problems=problems), 46)
    assert "cast.yaml:1: facts[0].id" in (embed.description or "")
    assert len(embed.description or "") <= 4096
    assert embed.footer.text == "500 problem(s)"


def test_a_reload_lists_what_changed() -> None:
    changes = FactBaseChanges(added=("a.b",), removed=(), edited=("c.d", "e.f"))
    embed = reload_embed(ReloadResult(changes=changes), 47)
    assert [(f.name, f.value) for f in embed.fields] == [
        ("Added (1)", "a.b"),
        ("Edited (2)", "c.d, e.f"),
    ]
    unchanged = reload_embed(ReloadResult(changes=FactBaseChanges()), 47)
    assert unchanged.description == "No fact changed."


def test_help_names_the_show_of_the_fact_base() -> None:
    show = Show(name="Slow Horses", about="the TV series *Slow Horses*", franchise="the books")
    other = FactBase((long_fact(1),), Lexicon(show=show))
    embed = help_embed(other, [])
    assert embed.title == "Slow Horses trivia"
    assert "*Slow Horses*" in (embed.description or "")
    assert "Ballard" not in str(embed.to_dict())


def test_two_answers_are_two_cited_fields(fact_base: FactBase) -> None:
    first, second = fact_base.facts[0], fact_base.facts[1]
    embed = answers_embed((first, second), "who plays her and what else was she in")
    assert [f.name[:2] for f in embed.fields] == ["1.", "2."]
    assert all("from the source article" in (f.value or "") for f in embed.fields)
    assert first.answer[:40] in (embed.fields[0].value or "")
    assert len(embed) <= EMBED_TOTAL


def test_an_answer_title_shows_the_question_in_a_safe_form() -> None:
    fact = long_fact(1)
    raw = (
        "who plays <@\u200b123456789012345678> ballard @everyone https://evil.example/x?y=1 "
        "\u202egnp.exe\u2066 my id 987654321098765432 " + "and more " * 40
    )
    title = answer_embed(fact, raw).title or ""
    assert len(title) <= 81 and title.endswith("…?")
    assert "http" not in title and "evil" not in title
    assert "@" not in title and "<" not in title and "123456789" not in title
    assert "987654321" not in title and "[id]" in title
    assert not any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in title)
    assert answer_embed(fact, "who plays ballard").title == "Who plays ballard?"
