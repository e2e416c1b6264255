"""Impurity measures for classification trees."""

from __future__ import annotations

import numpy as np


def gini_impurity(counts: np.ndarray) -> float:
    """Gini impurity 1 - sum_k p_k^2 of a node with the given class counts (0 for an empty node)."""
    n = counts.sum()
    if n == 0:
        return 0.0
    p = counts / n
    return float(1.0 - np.dot(p, p))


# Size-weighted Gini impurity of the two halves, for every cut of a sorted label sequence.
def weighted_child_gini(y_sorted: np.ndarray, n_classes: int) -> np.ndarray:
    n = len(y_sorted)
    onehot = np.zeros((n, n_classes))
    onehot[np.arange(n), y_sorted] = 1.0
    left = np.cumsum(onehot, axis=0)[:-1]
    total = onehot.sum(axis=0)
    right = total[None, :] - left
    n_left = np.arange(1, n, dtype=np.float64)
    n_right = n - n_left
    gini_left = 1.0 - np.sum((left / n_left[:, None]) ** 2, axis=1)
    gini_right = 1.0 - np.sum((right / n_right[:, None]) ** 2, axis=1)
    return (n_left * gini_left + n_right * gini_right) / n
