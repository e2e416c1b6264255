"""Agreement between a clustering and the true partition."""

from __future__ import annotations

import numpy as np


def contingency(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Table whose (i, j) entry counts points with label i in `a` and label j in `b`."""
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1), dtype=np.int64)
    np.add.at(table, (ai, bi), 1)
    return table


def adjusted_rand_index(a: np.ndarray, b: np.ndarray) -> float:
    """Rand index corrected for chance (Hubert and Arabie, 1985)."""
    table = contingency(a, b)
    n = int(table.sum())

    def pairs(x: np.ndarray) -> float:
        return float(np.sum(x * (x - 1)) / 2.0)

    index = pairs(table)
    rows = pairs(table.sum(axis=1))
    cols = pairs(table.sum(axis=0))
    expected = rows * cols / (n * (n - 1) / 2.0)
    maximum = 0.5 * (rows + cols)
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
