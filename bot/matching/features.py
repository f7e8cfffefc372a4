"""What the trained model sees of a question: tokens in three blocks, and their TF-IDF space.

The same code turns text into a vector when the model is trained (a sparse matrix for
scikit-learn) and when it answers (index/value arrays for a dot product we do ourselves), so
the two can never drift apart.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from bot.matching.terms import AnalyzedText

__all__ = ["BLOCKS", "FeatureSpace", "question_tokens"]

# Token blocks, by prefix, with the weight each block's unit vector gets in the whole: words
# and word pairs, character n-grams of the corrected words (typos and word forms), and the
# lexicon's terms and the question's shape (what it asks for, its question word, and each
# word paired with that question word).
BLOCKS: Mapping[str, float] = MappingProxyType({"w": 1.0, "c": 1.0, "t": 1.0})
CHAR_GRAMS = (2, 5)
MIN_CHAR_COUNT = 2  # character n-grams seen fewer times in training are noise


def question_tokens(analyzed: AnalyzedText) -> list[str]:
    """The tokens of one analysed question, each prefixed by its block letter."""
    words = analyzed.words
    tokens = [f"w {w}" for w in words]
    tokens += [f"w {a}_{b}" for a, b in itertools.pairwise(words)]
    for word in words:
        padded = f" {word} "
        for size in range(CHAR_GRAMS[0], CHAR_GRAMS[1] + 1):
            tokens += [f"c {padded[i : i + size]}" for i in range(len(padded) - size + 1)]
    tokens += [f"t {term}" for term in analyzed.terms]
    if analyzed.asks is not None:
        tokens.append(f"t ?{analyzed.asks.value}")
    # Each word paired with the question word: "who|set" is not "what|set", so a question
    # after another detail of a fact ("who set up the unit") can learn to differ from the
    # fact's own ("what is the unit").
    asked = analyzed.question_word or "-"
    tokens.append(f"t ?{asked}")
    tokens += [f"t {asked}|{word}" for word in words]
    return tokens


@dataclass(frozen=True, slots=True)
class FeatureSpace:
    """A fitted vocabulary: token -> column, its inverse document frequency, and its block."""

    columns: dict[str, int]
    idf: npt.NDArray[np.float32]
    block_of: npt.NDArray[np.int8]

    @classmethod
    def fit(cls, documents: Sequence[Sequence[str]]) -> FeatureSpace:
        """Vocabulary and smoothed IDF of the training documents (as scikit-learn's)."""
        frequency: Counter[str] = Counter()
        totals: Counter[str] = Counter()
        for tokens in documents:
            frequency.update(set(tokens))
            totals.update(tokens)
        kept = sorted(t for t in frequency if t[0] != "c" or totals[t] >= MIN_CHAR_COUNT)
        count = len(documents)
        idf = [math.log((1 + count) / (1 + frequency[t])) + 1 for t in kept]
        blocks = list(BLOCKS)
        return cls(
            {t: i for i, t in enumerate(kept)},
            np.asarray(idf, dtype=np.float32),
            np.asarray([blocks.index(t[0]) for t in kept], dtype=np.int8),
        )

    def __len__(self) -> int:
        return len(self.columns)

    def vector(self, tokens: Iterable[str]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
        """Columns and values of one document: sublinear TF times IDF, each block scaled to
        unit length and then by its weight."""
        counts = Counter(t for t in tokens if t in self.columns)
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        columns = np.fromiter((self.columns[t] for t in counts), dtype=np.intp, count=len(counts))
        tf = np.fromiter((1 + math.log(c) for c in counts.values()), np.float32, len(counts))
        values = tf * self.idf[columns]
        blocks = self.block_of[columns]
        for number, weight in enumerate(BLOCKS.values()):
            inside = blocks == number
            norm = float(np.linalg.norm(values[inside]))
            if norm > 0:
                values[inside] *= weight / norm
        return columns, values

    def matrix(self, documents: Sequence[Sequence[str]]) -> csr_matrix:
        """The documents as rows of a sparse matrix, for training."""
        indptr = [0]
        indices: list[npt.NDArray[np.intp]] = []
        data: list[npt.NDArray[np.float32]] = []
        for tokens in documents:
            columns, values = self.vector(tokens)
            indices.append(columns)
            data.append(values)
            indptr.append(indptr[-1] + len(columns))
        return csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0, np.float32),
                np.concatenate(indices) if indices else np.zeros(0, np.intp),
                np.asarray(indptr),
            ),
            shape=(len(documents), len(self.columns)),
        )
