"""Everything the bot states is backed by the article: sources are verbatim excerpts."""

from __future__ import annotations

import pytest

from bot.facts.model import MAX_SOURCE_WORDS, FactBase
from bot.matching.lint import lint_fact_base
from bot.matching.matcher import Matcher
from tests.conftest import ARTICLE


@pytest.mark.skipif(not ARTICLE.exists(), reason="the shared article is not beside the repo")
def test_every_source_is_a_verbatim_excerpt(fact_base: FactBase, matcher: Matcher) -> None:
    findings = lint_fact_base(fact_base, matcher, ARTICLE.read_text(encoding="utf-8"))
    assert [str(f) for f in findings if not f.warning] == []


def test_sources_are_short(fact_base: FactBase) -> None:
    assert all(len(f.source.split()) <= MAX_SOURCE_WORDS for f in fact_base.facts)


def test_lint_catches_an_unsupported_source(fact_base: FactBase, matcher: Matcher) -> None:
    findings = lint_fact_base(fact_base, matcher, "an article about something else entirely")
    assert len([f for f in findings if "verbatim" in f.problem]) == len(fact_base)
