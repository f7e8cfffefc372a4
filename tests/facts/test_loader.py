"""The loader: every shipped file loads; every broken file is reported to the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.facts.loader import FactBaseError, load_fact_base
from bot.facts.model import FactBase, Topic
from tests.conftest import FACTS_DIR

BROKEN = Path(__file__).parent / "fixtures" / "broken"


def test_every_shipped_file_loads(fact_base: FactBase) -> None:
    files = {p.name for p in FACTS_DIR.glob("*.yaml")}
    assert {"aliases.yaml", "cast.yaml", "premise.yaml", "franchise.yaml"} <= files
    assert len(fact_base) >= 40
    assert fact_base.phrasing_count >= 300
    assert {f.topic for f in fact_base.facts} == set(Topic)


def test_fact_base_is_immutable(fact_base: FactBase) -> None:
    fact = fact_base.facts[0]
    with pytest.raises(ValueError, match="frozen"):
        fact.answer = "changed"  # type: ignore[misc]
    assert fact_base.get(fact.id) is fact
    assert fact_base.get("no.such.fact") is None


def _problems() -> list[str]:
    with pytest.raises(FactBaseError) as caught:
        load_fact_base(BROKEN)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("file", "line", "field", "words"),
    [
        ("c_broken.yaml", 4, "yaml", "expected ','"),
        ("aliases.yaml", 3, "entities.maggie_q[1]", "already belongs to entities.ballard"),
        ("aliases.yaml", 7, "cast.nobody", "not an entity"),
        ("a_facts.yaml", 9, "facts[0].colour", "unknown key"),
        ("a_facts.yaml", 11, "facts[1].topic", "'cast'"),
        ("a_facts.yaml", 19, "facts[2].about[0]", "unknown entity 'nobody'"),
        ("a_facts.yaml", 20, "facts[2].questions", "at least 1 item"),
        ("a_facts.yaml", 21, "facts[2].answer", "valid string"),
        ("a_facts.yaml", 16, "facts[2].source", "missing field"),
        ("b_facts.yaml", 2, "facts[0].id", "duplicate id 'cast.one'"),
    ],
)
def test_each_error_names_file_line_and_field(file: str, line: int, field: str, words: str) -> None:
    expected = f"{BROKEN / file}:{line}: {field}: "
    hits = [p for p in _problems() if p.startswith(expected)]
    assert hits, f"no problem reported as {expected}"
    assert words in hits[0]


def test_all_errors_are_reported_together() -> None:
    assert len(_problems()) == 10


def test_missing_folder_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(FactBaseError) as caught:
        load_fact_base(tmp_path / "absent")
    assert len(caught.value.problems) == 1
    assert "not a readable folder" in str(caught.value)


def test_empty_folder_has_no_facts(tmp_path: Path) -> None:
    with pytest.raises(FactBaseError, match="no facts"):
        load_fact_base(tmp_path)


def test_long_source_and_empty_file_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    words = " ".join(["word"] * 26)
    (tmp_path / "long.yaml").write_text(
        "facts:\n  - id: a.b\n    topic: cast\n    gives: [person]\n"
        f"    questions: [q]\n    answer: a\n    source: {words}\n",
        encoding="utf-8",
    )
    with pytest.raises(FactBaseError) as caught:
        load_fact_base(tmp_path)
    text = str(caught.value)
    assert "empty.yaml:1: file: the file is empty" in text
    assert "long.yaml:7: facts[0].source" in text
    assert "26 words" in text


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "dup.yaml").write_text(
        "facts:\n  - id: a.b\n    id: a.c\n    topic: cast\n    gives: [person]\n"
        "    questions: [q]\n    answer: a\n    source: s\n",
        encoding="utf-8",
    )
    with pytest.raises(FactBaseError, match=r"dup.yaml:3: facts\[0\]\.id: duplicate key"):
        load_fact_base(tmp_path)
