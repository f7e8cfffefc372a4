"""The curation loop's pure parts: what is kept, grouping, stats, stubs."""

from __future__ import annotations

import yaml

from bot.curation import (
    LatencyWindow,
    StatsReport,
    group_questions,
    keeps_text,
    loggable_text,
    proposed_examples,
    proposed_examples_yaml,
    stub_facts_yaml,
)
from bot.facts.model import Topic
from bot.matching.matcher import Match, Matcher, Outcome
from bot.store import Confirmation


def test_only_questions_not_answered_well_keep_their_text(matcher: Matcher) -> None:
    assert not keeps_text(matcher.match("who plays ballard"))
    assert keeps_text(matcher.match("who plays the politician's sister"))
    assert keeps_text(Match("q", Outcome.ANSWER, score=0.72))


def test_kept_text_has_no_mentions_and_is_short() -> None:
    text = loggable_text("<@123456789012345678> who plays <@&123456789012345679> " + "x" * 900)
    assert "123456789012345678" not in text and text.startswith("who plays")
    assert len(text) <= 300


def test_kept_text_has_no_user_id_hidden_or_typed() -> None:
    text = loggable_text("is <@\u200b123456789012345678> or 1234567890123456789 in season 2?")
    assert text == "is or [id] in season 2?"
    assert loggable_text("call 555 0123, or 12345678901234") == "call 555 0123, or 12345678901234"


def test_similar_questions_group_most_asked_first() -> None:
    asked = [
        "who plays the sister",
        "Who plays the sister?",
        "who plays the politicians sister",
        "when does season 2 come out",
        "season 2 release date?",
        "when does season 2 come out",
        "when does season 2 come out",
        "   ",
    ]
    groups = group_questions(asked)
    assert [(g.example, g.count) for g in groups] == [
        ("when does season 2 come out", 3),
        ("who plays the sister", 3),
        ("season 2 release date?", 1),
    ]
    assert set(groups[1].variants) == {"Who plays the sister?", "who plays the politicians sister"}
    assert len(group_questions(asked, limit=1)) == 1


def test_latency_percentiles() -> None:
    window = LatencyWindow(size=100)
    assert window.percentile(0.5) is None
    for i in range(1, 201):
        window.add(i / 1000)
    assert window.percentile(0.5) == 0.151  # only the last 100 are kept
    assert window.percentile(0.99) == 0.2


def test_stats_rates_and_least_liked() -> None:
    report = StatsReport(
        facts=2,
        phrasings=10,
        outcomes={"answer": 6, "suggest": 1, "decline": 3},
        votes={"a.b": (3, 1), "c.d": (0, 2), "e.f": (1, 4)},
    )
    assert report.served == 10
    assert report.rate(Outcome.DECLINE) == 0.3
    assert report.thumbs == (4, 7)
    assert report.least_liked() == [("e.f", 1, 4), ("c.d", 0, 2)]
    assert StatsReport(0, 0, {}, {}).rate(Outcome.ANSWER) == 0.0


def test_stubs_are_valid_yaml_with_the_questions() -> None:
    groups = group_questions(["who plays the sister", "who plays the sister ?", "episode count"])
    stubs = yaml.safe_load(stub_facts_yaml(groups))
    assert [f["id"] for f in stubs["facts"]] == ["todo.who_plays_the_sister", "todo.episode_count"]
    first = stubs["facts"][0]
    assert first["questions"] == ["who plays the sister", "who plays the sister ?"]
    assert first["topic"] in {t.value for t in Topic}
    assert first["answer"].startswith("TODO")


def test_proposed_examples_group_wordings_and_drop_unknown_facts() -> None:
    proposals = proposed_examples(
        [
            Confirmation("Who's the lead?", "cast.ballard_actor", 2),
            Confirmation("whos the lead", "cast.ballard_actor", 1),
            Confirmation("whos the lead", "no.such.fact", 5),
            Confirmation("where to watch", "franchise.prime_video", 1),
        ],
        ["cast.ballard_actor", "franchise.prime_video"],
    )
    assert [(p.fact_id, p.count) for p in proposals] == [
        ("cast.ballard_actor", 3),
        ("franchise.prime_video", 1),
    ]
    document = yaml.safe_load(proposed_examples_yaml(proposals))
    assert document["proposed_examples"]["cast.ballard_actor"] == [
        {"q": "Who's the lead?", "confirmed": 3}
    ]
    assert yaml.safe_load(proposed_examples_yaml([])) == {"proposed_examples": {}}
