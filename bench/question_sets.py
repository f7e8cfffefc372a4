"""Print how the matcher does on labelled question sets (run by hand while curating).

python -m bench.question_sets [tests/data/dev_set.yaml ...] [--misses]
"""

from __future__ import annotations

import sys

from bot.facts.loader import load_fact_base
from bot.matching.evaluation import evaluate, load_question_set
from bot.matching.matcher import Matcher


def main(argv: list[str]) -> None:
    """Evaluate each named set and print rates, per-kind results and (optionally) misses."""
    show_misses = "--misses" in argv
    paths = [a for a in argv if not a.startswith("--")] or ["tests/data/dev_set.yaml"]
    matcher = Matcher(load_fact_base("facts"))
    for path in paths:
        report = evaluate(matcher, load_question_set(path))
        print(
            f"{path}: answerable right {report.right}/{report.answerable} "
            f"({report.right_rate:.1%}); unanswerable answered "
            f"{report.wrongly_answered}/{report.unanswerable} ({report.answered_rate:.1%})"
        )
        for kind, count in sorted(report.by_kind.items()):
            print(f"  {kind:12} {report.by_kind_right[kind]:4}/{count}")
        if show_misses:
            for question, got in report.misses:
                want = ",".join(sorted(question.expect)) or "decline"
                print(f"  MISS [{question.kind}] {question.text!r}: want {want}; got {got}")


if __name__ == "__main__":
    main(sys.argv[1:])
