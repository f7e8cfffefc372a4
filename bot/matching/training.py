"""Training data from a fact base, and the model trained on it, cached by its content.

Every fact phrasing is an example of its fact; every labelled example is an example of the
first fact it expects (or of NO_FACT, if it must be declined). A message labelled with two
parts is learnt as its two questions when it splits into two.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from bot.facts.model import FactBase
from bot.matching.model import NO_FACT, FactClassifier, content_hash, train_classifier
from bot.matching.parts import split_questions

__all__ = ["MODEL_DIR", "labelled_texts", "model_digest", "trained_classifier"]

log = logging.getLogger(__name__)

MODEL_DIR = "models"  # under the data folder
KEPT_MODELS = 3  # older cached models are removed, newest kept


def labelled_texts(
    fact_base: FactBase, *, leave_out: Collection[str] = ()
) -> Iterator[tuple[str, str]]:
    """(text, label) for every phrasing and example, skipping the example sets named."""
    for fact in fact_base.facts:
        for phrasing in fact.questions:
            yield phrasing, fact.id
    for name, examples in sorted(fact_base.examples.items()):
        if name in leave_out:
            continue
        for example in examples:
            pieces = split_questions(example.q) if len(example.parts) > 1 else []
            if len(pieces) == len(example.parts) > 1:
                for piece, part in zip(pieces, example.parts, strict=True):
                    yield piece, part[0] if part else NO_FACT
            else:
                yield example.q, example.expect[0] if example.expect else NO_FACT


def model_digest(fact_base: FactBase) -> str:
    """A digest of everything the model is trained from: facts, lexicon and examples."""
    parts = [fact.model_dump_json() for fact in fact_base.facts]
    parts.append(fact_base.lexicon.model_dump_json(exclude={"show"}))  # names only shown
    for name, examples in sorted(fact_base.examples.items()):
        parts.append(name)
        parts += [example.model_dump_json() for example in examples]
    return content_hash(parts)


def trained_classifier(
    fact_base: FactBase, tokenize: Callable[[str], list[str]], cache_dir: Path | None
) -> FactClassifier:
    """The cached model for this fact base's content, or a newly trained one (then cached).

    A cache that cannot be read or written is logged and ignored: the model is retrained.
    """
    path = cache_dir / MODEL_DIR / f"{model_digest(fact_base)}.npz" if cache_dir else None
    if path is not None and path.exists():
        try:
            return FactClassifier.load(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cached model %s unusable (%s); retraining", path.name, exc)
    texts, labels = zip(*labelled_texts(fact_base), strict=True)
    classifier = train_classifier([tokenize(t) for t in texts], labels)
    if path is not None:
        try:
            classifier.save(path)
            _prune(path.parent)
        except OSError as exc:
            log.warning("could not cache the model in %s: %s", path.parent, exc)
    return classifier


def _prune(folder: Path) -> None:
    """Keep the newest few models: each reload with edited facts writes one."""
    models = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEPT_MODELS:]:
        old.unlink(missing_ok=True)
