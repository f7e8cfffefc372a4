"""The loader: every shipped file loads; every broken file is reported to the line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.facts.loader import EXAMPLES_DIR, FactBaseError, load_fact_base
from bot.facts.model import (
    MAX_EXAMPLES_PER_FILE,
    MAX_FACTS,
    MAX_FILE_BYTES,
    MAX_FOLDER_BYTES,
    MAX_PHRASINGS,
    FactBase,
    Topic,
)
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


# Odd YAML: each is a problem located to the line, never an exception of another kind ----------

ALIAS_BOMB = Path(__file__).parent / "fixtures" / "alias_bomb.yaml"
_FACT = "facts:\n  - id: a.b\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param(_FACT + "    answer: 2024-02-30\n", 3, "timestamp", id="impossible-date"),
        pytest.param(_FACT + "    answer: 2024-02-03\n", 3, "quote it", id="date"),
        pytest.param("facts:\n  - id: !!binary '%%%'\n", 2, "binary", id="binary"),
        pytest.param("facts:\n  - id: !!binary 'a'\n", 2, "binary", id="bad-binary"),
        pytest.param("facts: !thing x\n", 1, "!thing", id="unknown-tag"),
        pytest.param("facts: !!set {a, b}\n", 1, "set", id="set"),
        pytest.param(_FACT + "    answer: 1" + "0" * 5000 + "\n", 3, "number", id="huge-int"),
        pytest.param("facts:\n  - ? [a]\n    : b\n", 2, "key", id="complex-key"),
        pytest.param("? [a]: b\n", 1, "key", id="complex-key-flow"),
        pytest.param("? {a: 1}\n: b\n", 1, "key", id="mapping-key"),
        pytest.param("facts: " + "[" * 3000 + "]" * 3000 + "\n", 1, "nest", id="3000-deep"),
        pytest.param("facts: " + "[" * 300 + "]" * 300 + "\n", 1, "nest", id="300-deep"),
        pytest.param("facts: &a [*a]\n", 1, "alias", id="recursive-alias"),
        pytest.param("a: &x 1\nfacts:\n  - *x\n", 3, "alias", id="alias"),
        pytest.param("b: &b {x: 1}\nfacts:\n  - <<: *b\n", 3, "alias", id="merge-key"),
    ],
)
def test_odd_yaml_is_a_located_problem(tmp_path: Path, text: str, line: int, words: str) -> None:
    (tmp_path / "odd.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FactBaseError) as caught:
        load_fact_base(tmp_path)
    prefix = f"{tmp_path / 'odd.yaml'}:{line}: "
    hits = [str(p) for p in caught.value.problems if str(p).startswith(prefix)]
    assert hits, f"no problem at {prefix}: {caught.value}"
    assert any(words in hit for hit in hits), hits


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    """In its own process, capped at 1 GB: expanded, the bomb would take gigabytes."""
    shutil.copy(ALIAS_BOMB, tmp_path)
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from bot.facts.loader import FactBaseError, load_fact_base\n"
        "try:\n    load_fact_base(sys.argv[1])\n"
        "except FactBaseError as exc:\n    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{tmp_path / ALIAS_BOMB.name}:3: yaml: aliases" in result.stdout


# Size limits: past them a folder is refused before it costs minutes and gigabytes ------------


def _only_problem(folder: Path) -> str:
    with pytest.raises(FactBaseError) as caught:
        load_fact_base(folder)
    assert len(caught.value.problems) == 1, caught.value
    return str(caught.value.problems[0])


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_text("#" * MAX_FILE_BYTES + "\nfacts: [", encoding="utf-8")
    assert _only_problem(tmp_path).startswith(f"{tmp_path / 'big.yaml'}:1: file: larger than")


def test_a_folder_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / EXAMPLES_DIR).mkdir()
    for i in range(MAX_FOLDER_BYTES // MAX_FILE_BYTES + 1):
        (tmp_path / EXAMPLES_DIR / f"set{i}.yaml").write_text("#" * MAX_FILE_BYTES, "utf-8")
    assert _only_problem(tmp_path).startswith(f"{tmp_path}:0: folder: 9.0 MB of YAML; at most")


def test_too_many_facts_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "many.yaml").write_text("facts:\n" + "  - {}\n" * (MAX_FACTS + 1), "utf-8")
    assert _only_problem(tmp_path) == (
        f"{tmp_path / 'many.yaml'}:2: facts: more than {MAX_FACTS:,} facts in the folder"
    )


def test_too_many_phrasings_is_a_problem(tmp_path: Path) -> None:
    questions = "".join(f"      - question {i}\n" for i in range(MAX_PHRASINGS + 1))
    (tmp_path / "wordy.yaml").write_text(
        "facts:\n  - id: a.b\n    topic: cast\n    gives: [person]\n"
        f"    questions:\n{questions}    answer: a\n    source: s\n",
        encoding="utf-8",
    )
    problem = _only_problem(tmp_path)
    assert problem.startswith(f"{tmp_path / 'wordy.yaml'}:6: facts[0].questions: ")
    assert f"at most {MAX_PHRASINGS}" in problem


def test_too_many_examples_in_a_file_is_one_problem(tmp_path: Path) -> None:
    shutil.copytree(FACTS_DIR, tmp_path / "facts", ignore=shutil.ignore_patterns(EXAMPLES_DIR))
    (tmp_path / "facts" / EXAMPLES_DIR).mkdir()
    examples = tmp_path / "facts" / EXAMPLES_DIR / "huge.yaml"
    examples.write_text("decline:\n" + "  - what\n" * (MAX_EXAMPLES_PER_FILE + 1), "utf-8")
    assert _only_problem(tmp_path / "facts") == (
        f"{examples}:2: decline: {MAX_EXAMPLES_PER_FILE + 1:,} entries;"
        f" at most {MAX_EXAMPLES_PER_FILE:,} a file"
    )
