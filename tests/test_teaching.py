"""Teaching: an approved example is written to the fact base, validated, and learnt from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.facts.loader import EXAMPLES_DIR, load_fact_base
from bot.teaching import TAUGHT_FILE, TeachingError, teach_example
from tests.conftest import FACTS_DIR


@pytest.fixture
def facts_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, folder, ignore=shutil.ignore_patterns(EXAMPLES_DIR))
    return folder


def test_an_approved_example_is_added_and_loads(facts_copy: Path) -> None:
    path = teach_example(facts_copy, "cast.ballard_actor", "who's the lady in the lead role")
    assert path == facts_copy / EXAMPLES_DIR / TAUGHT_FILE
    teach_example(facts_copy, "franchise.prime_video", "where do i stream it\u200b")
    examples = load_fact_base(facts_copy).examples["taught"]
    assert [(e.q, e.expect) for e in examples] == [
        ("who's the lady in the lead role", ("cast.ballard_actor",)),
        ("where do i stream it", ("franchise.prime_video",)),
    ]
    assert not list(path.parent.glob("*.tmp"))


@pytest.mark.parametrize(
    ("fact_id", "question", "problem"),
    [
        ("no.such.fact", "who plays her", "no fact 'no.such.fact'"),
        ("cast.ballard_actor", "   ", "the question is empty"),
    ],
)
def test_a_bad_example_is_refused(
    facts_copy: Path, fact_id: str, question: str, problem: str
) -> None:
    with pytest.raises(TeachingError, match=problem):
        teach_example(facts_copy, fact_id, question)
    assert not (facts_copy / EXAMPLES_DIR / TAUGHT_FILE).exists()


def test_the_same_example_is_not_added_twice(facts_copy: Path) -> None:
    teach_example(facts_copy, "cast.ballard_actor", "whos the lead")
    with pytest.raises(TeachingError, match="already"):
        teach_example(facts_copy, "cast.ballard_actor", "Who's the lead?")


def test_a_hostile_question_is_stored_as_text(facts_copy: Path) -> None:
    hostile = 'x"\n  - q: injected\nexpect: [a]: {b'
    path = teach_example(facts_copy, "cast.ballard_actor", hostile)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(data["examples"]) == 1
    assert data["examples"][0]["expect"] == ["cast.ballard_actor"]
