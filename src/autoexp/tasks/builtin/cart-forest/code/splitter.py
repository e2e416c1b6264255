"""Exhaustive search for the best axis-aligned split of a node."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from criteria import weighted_child_gini

TIE_EPS = 1e-12
"""A candidate split must beat the current best by more than this to replace it."""


class Split(NamedTuple):
    """An axis-aligned split: samples with X[:, feature] <= threshold go left."""

    feature: int
    threshold: float
    impurity: float  # size-weighted Gini impurity of the two children


def best_split(
    X: np.ndarray,
    y: np.ndarray,
    features: np.ndarray,
    n_classes: int,
    min_samples_leaf: int,
) -> Split | None:
    n = len(y)
    best: Split | None = None
    best_score = np.inf
    for f in features:
        f = int(f)
        order = np.argsort(X[:, f], kind="stable")
        xs = X[order, f]
        scores = weighted_child_gini(y[order], n_classes)
        for i in range(1, n):
            if xs[i] == xs[i - 1]:
                continue
            if i < min_samples_leaf or n - i < min_samples_leaf:
                continue
            score = scores[i - 1]
            if score < best_score - TIE_EPS:
                best_score = score
                best = Split(f, float((xs[i - 1] + xs[i]) / 2), float(score))
    return best
