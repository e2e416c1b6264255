"""Held-out evaluation of a fitted weight vector."""

from __future__ import annotations

import numpy as np

from model import sigmoid


def evaluate(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Accuracy and mean log-loss of the classifier with weights w on (X, y)."""
    z = X @ w
    pred = (sigmoid(z) >= 0.5).astype(np.float64)
    accuracy = float(np.mean(pred == y))
    # -log p = log(1 + e^-z) for y = 1, -log(1 - p) = log(1 + e^z) for y = 0
    per_sample = y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z)
    return {"accuracy": accuracy, "log_loss": float(np.mean(per_sample))}
