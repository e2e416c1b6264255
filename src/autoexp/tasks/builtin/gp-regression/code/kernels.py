"""Covariance functions."""

from __future__ import annotations

import numpy as np


def sq_dists(X1: np.ndarray, X2: np.ndarray) -> np.ndarray:
    """Matrix of squared Euclidean distances between the rows of X1 (n, d) and X2 (m, d)."""
    diff = X1[:, None, :] - X2[None, :, :]
    return np.sum(diff * diff, axis=-1)


def rbf_kernel(X1: np.ndarray, X2: np.ndarray, lengthscale: float, signal_std: float) -> np.ndarray:
    return signal_std**2 * np.exp(-0.5 * sq_dists(X1, X2) / lengthscale**2)
