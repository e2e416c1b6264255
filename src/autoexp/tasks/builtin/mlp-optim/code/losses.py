"""Classification loss."""

from __future__ import annotations

import numpy as np


def cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_norm
    loss = -log_probs[np.arange(N), y].mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(N), y] -= 1.0
    dlogits /= N
    return float(loss), dlogits


def accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    """Fraction of predictions equal to the labels."""
    return float(np.mean(pred == y))
