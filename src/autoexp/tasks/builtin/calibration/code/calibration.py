"""Temperature scaling: a single scalar that rescales all logits."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

T_BOUNDS = (0.05, 10.0)
"""Search interval for the temperature."""


def softmax_with_temperature(logits: np.ndarray, T: float) -> np.ndarray:
    z = logits / T
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll_at_temperature(logits: np.ndarray, y: np.ndarray, T: float) -> float:
    z = logits / T
    m = z.max(axis=1, keepdims=True)
    log_norm = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(log_norm - z[np.arange(len(y)), y]))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    res = minimize_scalar(
        lambda T: nll_at_temperature(logits, y, T),
        bounds=T_BOUNDS,
        method="bounded",
        options={"xatol": 1e-8},
    )
    return float(res.x)
