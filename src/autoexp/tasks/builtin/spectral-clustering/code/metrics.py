"""Agreement between a clustering and the true labels."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


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
    """Fraction of points correctly labelled under the best one-to-one cluster-to-class map."""
    C = contingency(labels_true, labels_pred)
    rows, cols = linear_sum_assignment(-C)
    return float(C[rows, cols].sum() / C.sum())
