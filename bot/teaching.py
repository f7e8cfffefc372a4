"""Adding an approved example question to the fact base's training data.

The one way anything users did changes answers: an admin approves a confirmed question (from
`trivia-bot report --yaml` or `/facts unanswered`) and it is written, validated, to the
examples file below; the next reload trains the model with it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import yaml

from bot.facts.loader import EXAMPLES_DIR, load_fact_base
from bot.matching.normalize import clean_text, normalize

__all__ = ["TAUGHT_FILE", "TeachingError", "teach_example"]

TAUGHT_FILE = "taught.yaml"  # in the examples folder
MAX_TAUGHT_CHARS = 300
_HEADER = (
    "# Example questions approved by an admin from what users confirmed (trivia-bot teach,\n"
    "# /facts teach). The model learns from them like every other example set.\n"
    "examples:\n"
)


class TeachingError(Exception):
    """The example cannot be added; the message says why, in one line."""


def teach_example(facts_dir: Path, fact_id: str, question: str) -> Path:
    """Append `question` as an example of `fact_id` to the taught examples file, atomically,
    and only if the folder still loads with it. Returns the file written."""
    text = clean_text(question, limit=MAX_TAUGHT_CHARS)
    if not normalize(text):
        raise TeachingError("the question is empty")
    fact_base = load_fact_base(facts_dir)
    if fact_base.get(fact_id) is None:
        raise TeachingError(f"no fact {fact_id!r} in {facts_dir}")
    taught = fact_base.examples.get(Path(TAUGHT_FILE).stem, ())
    if any(normalize(e.q) == normalize(text) and fact_id in e.expect for e in taught):
        raise TeachingError(f"already an example of {fact_id}")
    path = facts_dir / EXAMPLES_DIR / TAUGHT_FILE
    before = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    entry = f"  - q: {json.dumps(text, ensure_ascii=False)}\n    expect: [{fact_id}]\n"
    after = before if before.endswith("\n") else before + "\n"
    after += entry
    data = yaml.safe_load(after)
    if not isinstance(data, dict) or not isinstance(data.get("examples"), list):
        raise TeachingError(f"{path} is not an examples file; fix it by hand first")
    _replace(path, after)
    try:
        load_fact_base(facts_dir)
    except Exception:
        if before == _HEADER:
            path.unlink(missing_ok=True)
        else:
            _replace(path, before)
        raise
    return path


def _replace(path: Path, text: str) -> None:
    """Write a file whole or not at all (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".taught-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(temporary).replace(path)
    finally:
        Path(temporary).unlink(missing_ok=True)
