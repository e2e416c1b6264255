"""Agreement between a clustering and the true labels."""

from __future__ import annotations

from itertools import permutations

import numpy as np


def contingency(labels_true: np.ndarray, labels_pred: np.ndarray) -> np.ndarray:
    """Contingency table: entry (i, j) counts points of true class i put in cluster j."""
    _, t = np.unique(labels_true, return_inverse=True)
    _, p = np.unique(labels_pred, return_inverse=True)
    table = np.zeros((t.max() + 1, p.max() + 1), dtype=np.int64)
    np.add.at(table, (t, p), 1)
    return table


def adjusted_rand_index(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """Hubert-Arabie adjusted Rand index between two labelings."""
    C = contingency(labels_true, labels_pred)
    n = int(C.sum())

    def pairs(x: np.ndarray | int) -> np.ndarray | float:
        return x * (x - 1) / 2.0

    sum_cells = float(np.sum(pairs(C)))
    sum_rows = float(np.sum(pairs(C.sum(axis=1))))
    sum_cols = float(np.sum(pairs(C.sum(axis=0))))
    total = pairs(n)
    expected = sum_rows * sum_cols / total
    max_index = 0.5 * (sum_rows + sum_cols)
    if max_index == expected:
        return 1.0
    return (sum_cells - expected) / (max_index - expected)


def clustering_accuracy(labels_true: np.ndarray, labels_pred: np.ndarray) -> float:
    """Fraction of points correctly labelled under the best one-to-one cluster-to-class map.

    Searches all matchings exhaustively, which is cheap for the handful of clusters used here.
    """
    C = contingency(labels_true, labels_pred)
    k = max(C.shape)
    if k > 8:
        raise ValueError("exhaustive matching is limited to 8 clusters")
    square = np.zeros((k, k), dtype=np.int64)
    square[: C.shape[0], : C.shape[1]] = C
    rows = np.arange(k)
    best = max(int(square[rows, list(perm)].sum()) for perm in permutations(range(k)))
    return best / float(C.sum())
