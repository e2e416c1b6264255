"""Train / validation / test splits of scikit-learn's digits, from a fixed seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits


@dataclass(frozen=True)
class Splits:
    """Standardised features and integer labels of the three splits."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_classes(self) -> int:
        """Number of classes (labels are 0..n_classes-1)."""
        return int(max(self.y_train.max(), self.y_val.max(), self.y_test.max())) + 1


def load_splits(n_train: int, n_val: int, n_test: int, seed: int) -> Splits:
    """Permute the 1797 digits with `np.random.default_rng(seed)` and cut consecutive
    train / validation / test blocks. Features are standardised with the training mean and
    standard deviation (constant pixels keep scale 1)."""
    digits = load_digits()
    X = digits.data.astype(np.float64)
    y = digits.target.astype(np.int64)
    if n_train + n_val + n_test > len(y):
        raise ValueError("the splits ask for more samples than the data set has")
    order = np.random.default_rng(seed).permutation(len(y))
    tr = order[:n_train]
    va = order[n_train:n_train + n_val]
    te = order[n_train + n_val:n_train + n_val + n_test]
    mean = X[tr].mean(axis=0)
    std = X[tr].std(axis=0)
    std[std < 1e-8] = 1.0

    def scale(idx: np.ndarray) -> np.ndarray:
        return (X[idx] - mean) / std

    return Splits(scale(tr), y[tr], scale(va), y[va], scale(te), y[te])
