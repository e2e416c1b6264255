"""Error measures and helpers over staged predictions."""

from __future__ import annotations

import numpy as np


def mse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((y - p) ** 2))


def mae(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.abs(y - p)))


def staged_errors(model, X: np.ndarray, y: np.ndarray, error=mse) -> np.ndarray:
    """Error after each boosting stage (index m-1 holds the error of the first m trees)."""
    return np.array([error(y, p) for p in model.staged_predict(X)])


def round_sig(x, digits: int = 6):
    """Round floats to `digits` significant digits; ints stay ints."""
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    if x == 0.0 or not np.isfinite(x):
        return x
    return float(f"{x:.{digits}g}")
