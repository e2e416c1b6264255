"""Test-set scores for probabilistic regression."""

from __future__ import annotations

import numpy as np


def rmse(y: np.ndarray, mean: np.ndarray) -> float:
    """Root mean squared error of the predictive mean."""
    return float(np.sqrt(np.mean((y - mean) ** 2)))


def mean_nlpd(y: np.ndarray, mean: np.ndarray, var_f: np.ndarray, noise_std: float) -> float:
    s2 = var_f + noise_std**2
    return float(np.mean(0.5 * np.log(2.0 * np.pi * s2) + 0.5 * (y - mean) ** 2 / s2))
