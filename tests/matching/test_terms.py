"""Question analysis: aliases as typed terms, typo correction, unknown names, question shape."""

from __future__ import annotations

from bot.facts.model import AnswerKind
from bot.matching.language import stem
from bot.matching.matcher import Matcher
from bot.matching.terms import Term, TermKind

BALLARD = Term(TermKind.ENTITY, "ballard")


def test_aliases_map_to_one_entity(matcher: Matcher) -> None:
    spellings = ["Renée Ballard", "renee ballard", "detective ballard", "the detective"]
    assert {matcher.analyze(f"who is {s}").terms for s in spellings} == {(BALLARD,)}


def test_longest_alias_wins(matcher: Matcher) -> None:
    terms = matcher.analyze("was she in robbery and homicide").terms
    assert Term(TermKind.ENTITY, "robbery_homicide") in terms
    assert Term(TermKind.ENTITY, "bosch_legacy") in matcher.analyze("is bosch legacy first").terms


def test_terms_print_with_their_kind(matcher: Matcher) -> None:
    assert str(BALLARD) == "#ballard"
    terms = matcher.analyze("cinematography rocks").terms
    assert str(terms[0]) == "@cinematography"


def test_typos_are_corrected_real_words_are_not(matcher: Matcher) -> None:
    assert matcher.analyze("who plys ballrd").words == ("who", "plays", "ballard")
    assert matcher.analyze("cinematografy").words == ("cinematography",)
    assert matcher.analyze("waht is it").words[0] == "what"
    assert matcher.analyze("when did it premiere").words[-1] == "premiere"


def test_capitalised_unknown_words_are_names(matcher: Matcher) -> None:
    analyzed = matcher.analyze("is Tulsa King on prime video")
    assert analyzed.names == frozenset({"tulsa"})
    assert Term(TermKind.WORD, "tulsa") in analyzed.terms
    assert matcher.analyze("Who Plays Ballard In The Show").names == frozenset()


def test_question_shape_is_read_once(matcher: Matcher) -> None:
    analyzed = matcher.analyze("who's the lead?")
    assert analyzed.asks is AnswerKind.PERSON
    assert analyzed.question_word == "who"
    assert analyzed.question_mark
    assert not analyzed.quoted
    assert matcher.analyze('what does "every name here" mean').quoted
    assert matcher.analyze("tell me about it").question_word is None


def test_open_questions_come_from_the_lexicon(matcher: Matcher) -> None:
    assert matcher.analyze("how old is the murder she is investigating").asks is None
    assert matcher.analyze("how old is maggie q").asks is AnswerKind.NUMBER


def test_plain_words_are_stemmed(matcher: Matcher) -> None:
    assert Term(TermKind.WORD, stem("population")) in matcher.analyze("population of it").terms


def test_who_is_asking_is_chatter(matcher: Matcher) -> None:
    asked = matcher.analyze("my mom keeps asking me who plays ballard, help me out").terms
    assert asked == matcher.analyze("who plays ballard").terms
