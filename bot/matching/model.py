"""The trained fact classifier: which fact a question asks for, with a probability.

Trained with scikit-learn's multinomial logistic regression over every labelled example the
fact base holds (its phrasings, its example questions, and questions it must decline as the
class NO_FACT). Answering does the sparse dot product here, in numpy: one question costs a
few microseconds instead of scikit-learn's per-call overhead.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.matching.features import BLOCKS, CHAR_GRAMS, MIN_CHAR_COUNT, FeatureSpace

__all__ = ["MODEL_VERSION", "NO_FACT", "FactClassifier", "train_classifier"]

NO_FACT = ""  # the class of questions to decline
# Inverse regularisation strength of the logistic regression, chosen by leave-one-set-out
# cross-validation over the labelled sets (bench/cross_validation.py): 10 answered most
# questions right for the fewest wrong among 1, 3, 10 and 30.
REGULARISATION_C = 10.0
MAX_ITERATIONS = 3000
# Looser than scikit-learn's default (1e-4): half the training time, the same answers in
# cross-validation.
TOLERANCE = 1e-3
# Anything that changes what a saved model means: a cached model of another version is
# retrained rather than trusted.
MODEL_VERSION = (
    f"3:{sorted(BLOCKS.items())}:{CHAR_GRAMS}:{MIN_CHAR_COUNT}:{REGULARISATION_C}:{TOLERANCE}"
)


@dataclass(frozen=True, slots=True)
class FactClassifier:
    """Weights per (feature, class); `classes[i]` is a fact id or NO_FACT."""

    space: FeatureSpace
    classes: tuple[str, ...]
    weights: npt.NDArray[np.float32]  # features x classes
    bias: npt.NDArray[np.float32]

    def probabilities(self, tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        """The softmax over classes for one question's tokens."""
        columns, values = self.space.vector(tokens)
        logits = self.bias + values @ self.weights[columns]
        logits -= logits.max()
        exp = np.exp(logits)
        result: npt.NDArray[np.float32] = exp / exp.sum()
        return result

    def save(self, path: Path) -> None:
        """Write the model atomically as plain arrays (no pickle)."""
        tokens = np.asarray(sorted(self.space.columns, key=self.space.columns.__getitem__))
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    tokens=tokens,
                    idf=self.space.idf,
                    block_of=self.space.block_of,
                    classes=np.asarray(self.classes),
                    weights=self.weights,
                    bias=self.bias,
                )
            Path(temporary).replace(path)
        finally:
            Path(temporary).unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> FactClassifier:
        """Read a model written by `save`; raises OSError or ValueError if it is unusable."""
        with np.load(path, allow_pickle=False) as data:
            tokens = [str(t) for t in data["tokens"]]
            space = FeatureSpace(
                {t: i for i, t in enumerate(tokens)},
                data["idf"].astype(np.float32),
                data["block_of"].astype(np.int8),
            )
            weights = data["weights"].astype(np.float32)
            bias = data["bias"].astype(np.float32)
            classes = tuple(str(c) for c in data["classes"])
        if weights.shape != (len(tokens), len(classes)) or bias.shape != (len(classes),):
            raise ValueError(f"{path}: the arrays do not fit together")
        return cls(space, classes, weights, bias)


def train_classifier(
    documents: Sequence[Sequence[str]], labels: Sequence[str], *, c: float = REGULARISATION_C
) -> FactClassifier:
    """Fit the vocabulary and a multinomial logistic regression on tokenised examples."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - slow import, rarely

    space = FeatureSpace.fit(documents)
    if len(set(labels)) < 2:  # one class (a one-fact base without examples): always that one
        classes = tuple(sorted(set(labels)))
        shape = (len(space), len(classes))
        return FactClassifier(space, classes, np.zeros(shape, np.float32), np.zeros(1, np.float32))
    matrix = space.matrix(documents)
    model = LogisticRegression(C=c, max_iter=MAX_ITERATIONS, tol=TOLERANCE)
    model.fit(matrix, np.asarray(labels))
    classes = tuple(str(c) for c in model.classes_)
    weights = np.ascontiguousarray(model.coef_.T, dtype=np.float32)
    bias = model.intercept_.astype(np.float32)
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: expand it to both
        weights = np.hstack([-weights / 2, weights / 2]).astype(np.float32)
        bias = np.asarray([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
    return FactClassifier(space, classes, weights, bias)


def content_hash(parts: Sequence[str]) -> str:
    """A short, stable digest of everything a model is trained from."""
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part.encode())
    return digest.hexdigest()[:24]
