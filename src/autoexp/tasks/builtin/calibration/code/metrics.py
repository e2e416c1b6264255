"""Calibration and accuracy scores for probabilistic classifiers."""

from __future__ import annotations

import numpy as np


def accuracy(probs: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose arg-max class equals the label."""
    return float(np.mean(np.argmax(probs, axis=1) == y))


def expected_calibration_error(probs: np.ndarray, y: np.ndarray, n_bins: int) -> float:
    conf = probs.max(axis=1)
    correct = (np.argmax(probs, axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    n = len(y)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (conf > lo) & (conf <= hi)
        count = int(in_bin.sum())
        if count == 0:
            continue
        gap = abs(correct[in_bin].mean() - conf[in_bin].mean())
        ece += count / n * gap
    return float(ece)


def brier_score(probs: np.ndarray, y: np.ndarray) -> float:
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(y)), y] = 1.0
    return float(np.mean(np.sum((probs - onehot) ** 2, axis=1)))
