"""Leave-one-set-out cross-validation of the trained matcher over the fact base's example
sets, and the threshold sweep the matcher's constants come from. Run by hand:

    .venv/bin/python -m bench.cross_validation [--sets fans,quiz] [--misses]

Each example set is answered by a model trained on the phrasings and every other set, so its
figures are those of questions the model never saw. Pooled over all sets, each answer
threshold is scored as right answers minus three times the errors (a wrong fact, or an answer
to a question that must be declined): a wrong answer is worse than none.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.facts.loader import load_fact_base
from bot.matching.evaluation import Report, evaluate
from bot.matching.features import question_tokens
from bot.matching.matcher import ANSWER_PROBABILITY, Matcher
from bot.matching.model import train_classifier
from bot.matching.terms import TermAnalyzer
from bot.matching.training import labelled_texts

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = (0.5, 0.6, 0.7, 0.8)
ERROR_COST = 3


def main(argv: list[str]) -> None:
    """Print each set's held-out figures at every threshold, then the pooled sweep."""
    base = load_fact_base(ROOT / "facts")
    chosen = next((a.split("=", 1)[1] for a in argv if a.startswith("--sets=")), "")
    names = chosen.split(",") if chosen else sorted(base.examples)
    analyzer = TermAnalyzer.for_fact_base(base)
    pooled = {threshold: Report() for threshold in THRESHOLDS}
    for name in names:
        texts, labels = zip(*labelled_texts(base, leave_out={name}), strict=True)
        documents = [question_tokens(analyzer.analyze(text)) for text in texts]
        classifier = train_classifier(documents, labels)
        for threshold in THRESHOLDS:
            matcher = Matcher(base, classifier, answer_probability=threshold)
            report = evaluate(matcher, base.examples[name])
            pooled[threshold].add(report)
            print(f"{name:10} p>={threshold}: {report.summary()}", flush=True)
            if "--misses" in argv and threshold == ANSWER_PROBABILITY:
                for question, got in report.misses:
                    want = ",".join(question.expect) or "decline"
                    print(f"   MISS [{question.kind}] {question.q!r}: want {want}; got {got}")
    for threshold, report in pooled.items():
        errors = report.wrong + report.wrongly_answered
        utility = report.right - ERROR_COST * errors
        print(f"pooled p>={threshold}: {report.summary()}; utility {utility}")


if __name__ == "__main__":
    main(sys.argv[1:])
