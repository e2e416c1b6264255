"""Ways of choosing the k starting centres of Lloyd's algorithm.

A seeding function takes the data X (n, d), the number of centres k and a numpy Generator,
and returns a (k, d) array of starting centres, all of which are rows of X.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Seeding = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]


def uniform_init(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k distinct rows of X chosen uniformly at random (one call to rng.choice)."""
    idx = rng.choice(X.shape[0], size=k, replace=False)
    return X[idx].copy()


def kmeanspp_init(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding: each new centre is drawn with probability proportional to D(x)^2."""
    n = X.shape[0]
    first = rng.integers(n)
    centres = [X[first]]
    d2 = np.sum((X - X[first]) ** 2, axis=1)
    for _ in range(1, k):
        idx = rng.choice(n, p=d2 / d2.sum())
        centres.append(X[idx])
        d2 = np.minimum(d2, np.sum((X - X[idx]) ** 2, axis=1))
    return np.array(centres)


SEEDINGS: dict[str, Seeding] = {"uniform": uniform_init, "kmeans++": kmeanspp_init}
"""Seeding strategies by the name used on the command line."""
