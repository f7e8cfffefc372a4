"""The normaliser: a table of real inputs, and hypothesis for anything at all."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.matching.normalize import MAX_QUESTION_CHARS, clean_text, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Who PLAYS Renée Ballard??", "who plays renee ballard"),
        ("who’s the lead", "who is the lead"),
        ("what's the politician's sister's case", "what is the politician sister case"),
        ("<@123456789> who plays ballard", "who plays ballard"),
        ("<@!123456789> <#987654321> hi <@&55555555>", "hi"),
        ("@everyone who plays ballard @here", "who plays ballard"),
        ("who\u200b pl\u200days\u2060 ballard\ufeff", "who plays ballard"),
        ("<@\u200b123456789012345678> who plays <\u200b#1234567890>", "who plays"),
        ("<\u2060@!123456789012345678\u200b> hi <@&\ufeff55555555>", "hi"),
        ("tabs\tand\nnewlines\r\n", "tabs and newlines"),
        ("love it <:pog:123456789012345678>", "love it pog"),
        ("it isn't bad, can't wait", "it is not bad can not wait"),
        ("whats ballard abt", "what is ballard about"),
        ("Bosch: Legacy — L.A.", "bosch legacy l a"),
        ("ＦＵＬＬＷＩＤＴＨ", "fullwidth"),
        ("see https://example.com/x?y=1 now", "see now"),
        ("", ""),
    ],
)
def test_normalize_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_clean_text_keeps_case_and_drops_markup() -> None:
    assert clean_text("<@1234567> Who plays Renée?\u200b") == "Who plays Renée?"


@given(st.text())
def test_normalize_any_text_is_plain_words(text: str) -> None:
    result = normalize(text)
    assert result == result.strip()
    assert "  " not in result
    assert all(ch.isascii() and (ch.isalnum() or ch == " ") for ch in result)


@given(st.text(min_size=3000, max_size=5000))
def test_long_noise_is_bounded(text: str) -> None:
    assert len(clean_text(text)) <= MAX_QUESTION_CHARS


def test_chat_two_means_to_but_season_two_stays() -> None:
    assert normalize("where 2 watch it") == "where to watch it"
    assert normalize("when is season 2 out") == "when is season 2 out"
