"""Data loading and a seeded train/test split for the tabular classification experiments."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_breast_cancer, load_wine

_LOADERS = {"wine": load_wine, "breast_cancer": load_breast_cancer}


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return features (float64), integer labels 0..K-1 and the feature names of a data set."""
    if name not in _LOADERS:
        raise ValueError(f"unknown data set {name!r}; choose from {sorted(_LOADERS)}")
    bunch = _LOADERS[name]()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int64)
    return X, y, [str(f) for f in bunch.feature_names]


def train_test_split(
    X: np.ndarray, y: np.ndarray, test_frac: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with a seeded permutation and cut off the first `test_frac` share as test set."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(y))
    n_test = int(round(test_frac * len(y)))
    test, train = perm[:n_test], perm[n_test:]
    return X[train], X[test], y[train], y[test]
