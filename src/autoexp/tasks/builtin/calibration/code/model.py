"""Multinomial logistic regression trained by full-batch gradient descent."""

from __future__ import annotations

import numpy as np


def train_softmax_regression(
    X: np.ndarray, y: np.ndarray, n_classes: int, lr: float, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    n, d = X.shape
    W = np.zeros((d, n_classes))
    b = np.zeros(n_classes)
    Y = np.zeros((n, n_classes))
    Y[np.arange(n), y] = 1.0
    for _ in range(steps):
        Z = X @ W + b
        Z -= Z.max(axis=1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(axis=1, keepdims=True)
        G = (P - Y) / n
        W -= lr * (X.T @ G)
        b -= lr * G.sum(axis=0)
    return W, b


def logits(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Class scores X W + b, shape (n, n_classes)."""
    return X @ W + b


def predict(Z: np.ndarray) -> np.ndarray:
    """Predicted class of each row of a logit matrix."""
    return np.argmax(Z, axis=1)
