"""Question analysis: aliases, typo correction, focus and unknown names."""

from __future__ import annotations

from bot.facts.model import AnswerKind
from bot.matching.language import stem
from bot.matching.matcher import Matcher


def test_aliases_map_to_one_entity(matcher: Matcher) -> None:
    spellings = ["Renée Ballard", "renee ballard", "detective ballard", "the detective"]
    assert {matcher.analyze(f"who is {s}").terms for s in spellings} == {("#ballard",)}


def test_longest_alias_wins(matcher: Matcher) -> None:
    assert "#robbery_homicide" in matcher.analyze("was she in robbery and homicide").terms
    assert "#bosch_legacy" in matcher.analyze("is bosch legacy first").terms


def test_typos_are_corrected_real_words_are_not(matcher: Matcher) -> None:
    assert matcher.analyze("who plys ballrd").words == ("who", "plays", "ballard")
    assert matcher.analyze("cinematografy").words == ("cinematography",)
    assert matcher.analyze("waht is it").words[0] == "what"
    assert matcher.analyze("when did it premiere").words[-1] == "premiere"


def test_focus_is_the_thing_asked_about(matcher: Matcher) -> None:
    assert matcher.analyze("what is the tone of ballard").focus == "@tone"
    assert matcher.analyze("what's the population of los angeles").focus == stem("population")
    assert matcher.analyze("is it good").focus is None


def test_capitalised_unknown_words_are_names(matcher: Matcher) -> None:
    analyzed = matcher.analyze("is Tulsa King on prime video")
    assert analyzed.names == frozenset({"tulsa"})
    assert "tulsa" in analyzed.terms
    assert matcher.analyze("Who Plays Ballard In The Show").names == frozenset()


def test_person_question_shape(matcher: Matcher) -> None:
    assert matcher.analyze("who's the lead").asks is AnswerKind.PERSON


def test_a_described_show_is_the_show(matcher: Matcher) -> None:
    described = matcher.analyze("who stars in that new amazon cop show").terms
    assert described == matcher.analyze("who stars in the show").terms
    assert "#bosch" in matcher.analyze("what is the bosch show").terms
    assert "#bosch" not in matcher.analyze("who is in the new bosch show").terms


def test_a_books_name_is_a_title_the_article_never_gives(matcher: Matcher) -> None:
    assert matcher.analyze("what are the books called").asks is AnswerKind.TITLE
    assert matcher.match("what's the first ballard novel called").fact is None
    answered = matcher.match("which books is ballard based on").fact
    assert answered is not None and answered.id == "franchise.connelly_novels"


def test_names_in_passing_do_not_ask_for_a_name(matcher: Matcher) -> None:
    assert matcher.analyze("what does renee say about the names in the boxes").asks is None
    assert matcher.analyze("what is she called").asks is AnswerKind.PERSON


def test_who_is_asking_is_chatter(matcher: Matcher) -> None:
    asked = matcher.analyze("my mom keeps asking me who plays ballard, help me out").terms
    assert asked == matcher.analyze("who plays ballard").terms
