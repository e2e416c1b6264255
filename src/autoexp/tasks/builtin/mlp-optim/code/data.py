"""Data preparation: a fixed, seeded train/test split of scikit-learn's digits."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits


def load_split(n_train: int, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (X_train, y_train, X_test, y_test) drawn without overlap from the digits set.

    The samples are permuted with `np.random.default_rng(seed)`; the first `n_train`
    form the training set and the next `n_test` the test set. Features are standardised
    with the training mean and standard deviation (pixels that are constant on the
    training set keep a scale of 1).
    """
    digits = load_digits()
    X = digits.data.astype(np.float64)
    y = digits.target.astype(np.int64)
    if n_train + n_test > len(y):
        raise ValueError(f"asked for {n_train + n_test} samples, digits has {len(y)}")
    order = np.random.default_rng(seed).permutation(len(y))
    tr = order[:n_train]
    te = order[n_train:n_train + n_test]
    mean = X[tr].mean(axis=0)
    std = X[tr].std(axis=0)
    std[std < 1e-8] = 1.0
    X_train = (X[tr] - mean) / std
    X_test = (X[te] - mean) / std
    return X_train, y[tr], X_test, y[te]


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Index arrays of one epoch: a fresh permutation of range(n) cut into consecutive
    batches of `batch_size` (the last one may be smaller)."""
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]
