"""The Wisconsin diagnostic breast cancer data: loading, splitting, standardising.

The raw data ship with scikit-learn, so nothing is downloaded. Labels follow scikit-learn:
1 is a benign tumour, 0 a malignant one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_breast_cancer


@dataclass(frozen=True)
class Split:
    """A train/test split of a design matrix and its 0/1 labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]


def load_raw() -> tuple[np.ndarray, np.ndarray]:
    """The 569 x 30 feature matrix (float64) and the 0/1 label vector (float64)."""
    bunch = load_breast_cancer()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.float64)


def split_indices(n: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and test rows.

    One permutation of 0..n-1 is drawn from numpy's default generator seeded with `seed`;
    its first round(test_fraction * n) entries are the test rows, the rest the training rows.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    perm = np.random.default_rng(seed).permutation(n)
    n_test = round(test_fraction * n)
    return perm[n_test:], perm[:n_test]


def standardise(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale every column with statistics of the training rows only."""
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0.0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def add_intercept(X: np.ndarray) -> np.ndarray:
    """Prepend a column of ones, so that weight 0 is the intercept."""
    return np.hstack([np.ones((X.shape[0], 1)), X])


def make_split(test_fraction: float = 0.3, seed: int = 0) -> Split:
    """The standardised design matrices (with intercept column) used by every experiment."""
    X, y = load_raw()
    train, test = split_indices(len(y), test_fraction, seed)
    Z_train, Z_test = standardise(X[train], X[test])
    return Split(add_intercept(Z_train), y[train], add_intercept(Z_test), y[test])
