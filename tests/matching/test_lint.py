"""`check` lints: what validation cannot see but curators must fix."""

from __future__ import annotations

from pathlib import Path

from bot.facts.loader import load_fact_base
from bot.facts.model import FactBase
from bot.matching.lint import EMBED_DESCRIPTION_LIMIT, lint_fact_base
from bot.matching.matcher import Matcher

ALIASES = """
entities:
  ballard: [ballard, renee]
terms:
  play: [plays, portrays]
  cast: [casts, cast]
out_of_scope: [premiere]
"""


def _fact(fact_id: str, questions: list[str], answer: str = "An answer.") -> str:
    lines = "".join(f"      - {q}\n" for q in questions)
    return (
        f"  - id: {fact_id}\n    topic: cast\n    gives: [person]\n    about: [ballard]\n"
        f"    questions:\n{lines}    answer: {answer}\n    source: a source\n"
    )


def _lint(tmp_path: Path, facts: str) -> list[str]:
    (tmp_path / "aliases.yaml").write_text(ALIASES, encoding="utf-8")
    (tmp_path / "cast.yaml").write_text(f"facts:\n{facts}", encoding="utf-8")
    fact_base = load_fact_base(tmp_path)
    return [str(p) for p in lint_fact_base(fact_base, Matcher(fact_base))]


def test_thin_fact_and_long_answer(tmp_path: Path) -> None:
    long_answer = "x" * (EMBED_DESCRIPTION_LIMIT + 1)
    problems = _lint(tmp_path, _fact("a.one", ["who plays ballard"], long_answer))
    assert "a.one: 1 phrasings; want 5+" in problems
    assert any("answer longer than 4096" in p for p in problems)


def test_shared_and_ambiguous_phrasings(tmp_path: Path) -> None:
    one = ["who plays ballard", "who portrays ballard", "ballard actress", "lead", "star"]
    two = ["who plays ballard", "cast", "casts", "cast list", "who is cast"]
    problems = _lint(tmp_path, _fact("a.one", one) + _fact("a.two", two))
    assert "a.two: phrasing 'who plays ballard' also belongs to a.one" in problems


def test_out_of_scope_word_in_a_phrasing(tmp_path: Path) -> None:
    questions = ["who plays ballard", "premiere star", "who portrays ballard", "a", "b"]
    problems = _lint(tmp_path, _fact("a.one", questions))
    assert "a.one: phrasing 'premiere star' uses out-of-scope 'premiere'" in problems


def test_aliases_that_collide_once_stemmed(tmp_path: Path) -> None:
    problems = _lint(tmp_path, _fact("a.one", ["who plays ballard"] * 5))
    assert not any(p.startswith("aliases:") for p in problems)
    colliding = ALIASES.replace(
        "  cast: [casts, cast]", "  cast: [casts, cast]\n  acting: [played]"
    )
    (tmp_path / "aliases.yaml").write_text(colliding, encoding="utf-8")
    fact_base = load_fact_base(tmp_path)
    problems = [str(p) for p in lint_fact_base(fact_base, Matcher(fact_base))]
    assert "aliases: 'play' is claimed by terms.acting, terms.play" in problems


def test_an_out_of_scope_phrase_shadowed_by_an_alias_is_reported(fact_base: FactBase) -> None:
    lexicon = fact_base.lexicon.model_copy(
        update={"out_of_scope": (*fact_base.lexicon.out_of_scope, "showrunner")}
    )
    shadowed = FactBase(fact_base.facts, lexicon)
    findings = [str(f) for f in lint_fact_base(shadowed, Matcher(shadowed))]
    assert any("'showrunn' is claimed by out_of_scope, terms.create" in f for f in findings)
