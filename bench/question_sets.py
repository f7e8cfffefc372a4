"""Print how the matcher (trained on the whole fact base) does on held-out question sets.

    .venv/bin/python -m bench.question_sets [tests/data/blind_set.yaml ...] [--misses]

The blind sets are never read by developers: run them without --misses, totals only.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.facts.loader import load_fact_base
from bot.matching.evaluation import evaluate, load_question_set
from bot.matching.matcher import Matcher

ROOT = Path(__file__).resolve().parent.parent
BLIND_SETS = ("tests/data/blind_set.yaml", "tests/data/blind2_set.yaml")


def main(argv: list[str]) -> None:
    """Evaluate each named set and print right, wrong fact, declines answered."""
    show_misses = "--misses" in argv
    paths = [a for a in argv if not a.startswith("--")] or list(BLIND_SETS)
    matcher = Matcher(load_fact_base(ROOT / "facts"), cache_dir=ROOT / ".cache")
    for path in paths:
        report = evaluate(matcher, load_question_set(ROOT / path))
        print(f"{path}: {report.summary()}; parts right {report.parts_right}/{report.parts}")
        if show_misses:
            for question, got in report.misses:
                want = ",".join(question.expect) or "decline"
                print(f"  MISS [{question.kind}] {question.q!r}: want {want}; got {got}")


if __name__ == "__main__":
    main(sys.argv[1:])
