"""Matcher latency on the curated fact base and synthetic bases 10x and 100x larger,
start-up (cold: training; warm: the cached model), and peak memory of `trivia-bot ask`.
Run by hand:

    .venv/bin/python -m bench.matcher_latency

The 10x base's model is trained for real (on its phrasings). At 100x (4,900 facts) training
a per-fact linear model is not practical on a 2-core machine (its weights alone are features
x facts), so the 100x figure times answering with a model of that shape: the curated model's
weights, copied to every copy of every fact.
"""

from __future__ import annotations

import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bot.facts.loader import load_fact_base
from bot.facts.model import FactBase
from bot.matching.evaluation import load_question_set
from bot.matching.matcher import Matcher
from bot.matching.model import NO_FACT, FactClassifier

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "facts" / "examples" / "dev.yaml"
SYLLABLES = "ka lo mi nu re sa ti vo ze bra dun fel gor hin jas kep lum mor nix pol".split()


def synthetic(base: FactBase, factor: int, seed: int = 7) -> FactBase:
    """`factor` copies of every fact, each phrasing given invented words of its own, so the
    vocabulary and postings grow as a real, larger fact base's would."""
    rng = random.Random(seed)
    facts = list(base.facts)
    for copy in range(1, factor):
        for fact in base.facts:
            word = "".join(rng.choice(SYLLABLES) for _ in range(3))
            questions = tuple(f"{q} {word}" for q in fact.questions)
            facts.append(
                fact.model_copy(update={"id": f"{fact.id}.c{copy}", "questions": questions})
            )
    return FactBase(tuple(facts), base.lexicon)


def replicated(model: FactClassifier, fact_base: FactBase) -> FactClassifier:
    """The model's weights copied to every fact of a synthetic base (copy ids end .cN)."""
    position = {fact_id: i for i, fact_id in enumerate(model.classes)}
    classes = (NO_FACT, *(f.id for f in fact_base.facts))
    original = [re.sub(r"\.c\d+$", "", f.id) for f in fact_base.facts]
    source = [position[NO_FACT], *(position[fact_id] for fact_id in original)]
    weights = np.ascontiguousarray(model.weights[:, source])
    return FactClassifier(model.space, classes, weights, model.bias[source])


def latency(matcher: Matcher, questions: list[str], rounds: int) -> tuple[float, float, float]:
    """p50, p99 and max per-question latency in milliseconds (warm)."""
    for question in questions:
        matcher.match(question)
    samples = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            matcher.match(question)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p99 = samples[int(len(samples) * 0.99) - 1]
    return statistics.median(samples), p99, samples[-1]


def main() -> None:
    """Print the figures that go into the README."""
    # First, before this process grows: a child's peak RSS is measured apart from ours.
    script = ROOT / ".venv" / "bin" / "trivia-bot"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    start = time.perf_counter()
    subprocess.run([*command, "ask", "who plays ballard"], check=True, capture_output=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"trivia-bot ask: {wall:.2f} s wall, peak RSS {peak:.0f} MB")

    start = time.perf_counter()
    base = load_fact_base(ROOT / "facts")
    load_ms = (time.perf_counter() - start) * 1000
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        curated = Matcher(base, cache_dir=Path(cache))
        cold = time.perf_counter() - start
        start = time.perf_counter()
        Matcher(base, cache_dir=Path(cache))
        warm = time.perf_counter() - start
    print(
        f"load fact base: {load_ms:.0f} ms; matcher cold (training) {cold:.1f} s, "
        f"warm (cached model) {warm:.2f} s"
    )
    questions = [q.q for q in load_question_set(QUESTIONS)]
    for factor, rounds in ((1, 5), (10, 2), (100, 1)):
        fact_base = base if factor == 1 else synthetic(base, factor)
        start = time.perf_counter()
        if factor == 1:
            matcher = curated
        elif factor == 10:
            matcher = Matcher(fact_base)
        else:
            matcher = Matcher(fact_base, replicated(curated.classifier, fact_base))
        build = time.perf_counter() - start
        p50, p99, worst = latency(matcher, questions, rounds)
        print(
            f"{factor:>3}x: {len(fact_base):>5} facts, {fact_base.phrasing_count:>6} phrasings; "
            f"build {build:.2f} s; p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {worst:.2f} ms"
        )


if __name__ == "__main__":
    main()
