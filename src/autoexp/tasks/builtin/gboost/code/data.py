"""The diabetes regression data with a seeded train/test split."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_diabetes


def load_split(test_frac: float = 0.3, seed: int = 0):
    """Return X_train, X_test, y_train, y_test of the (scaled) diabetes data."""
    bunch = load_diabetes()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.float64)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(y))
    n_test = int(round(test_frac * len(y)))
    test, train = perm[:n_test], perm[n_test:]
    return X[train], X[test], y[train], y[test]
