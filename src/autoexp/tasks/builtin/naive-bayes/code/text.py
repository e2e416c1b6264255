"""Tokenisation and bag-of-words features."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

_TOKEN = re.compile(r"[a-z]+")


def tokenize(doc: str) -> list[str]:
    """Lower-case the text and return its maximal runs of letters a-z, in order."""
    return _TOKEN.findall(doc.lower())


def build_vocabulary(docs: list[str], min_count: int = 1) -> dict[str, int]:
    """Map each token seen at least `min_count` times in `docs` to a column, alphabetically."""
    counts: dict[str, int] = {}
    for doc in docs:
        for tok in tokenize(doc):
            counts[tok] = counts.get(tok, 0) + 1
    kept = sorted(t for t, c in counts.items() if c >= min_count)
    return {t: j for j, t in enumerate(kept)}


def count_matrix(docs: list[str], vocab: dict[str, int]) -> np.ndarray:
    X = np.zeros((len(docs), len(vocab)), dtype=np.int64)
    for i, doc in enumerate(docs):
        for tok, c in Counter(tokenize(doc)).items():
            j = vocab.get(tok)
            if j is not None:
                X[i, j] = c
    return X
