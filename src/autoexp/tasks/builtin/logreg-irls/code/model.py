"""The L2-penalised logistic regression objective.

For a design matrix X (n x p) whose first column is all ones, labels y in {0, 1} and weights
w (p,), the objective is the mean negative log-likelihood plus a ridge penalty on every
weight except the intercept w[0]:

    L(w) = (1/n) sum_i [ log(1 + exp(x_i.w)) - y_i x_i.w ] + (lam/2) sum_{j>=1} w_j^2
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, evaluated without overflow for large |z|."""
    out = np.empty_like(z, dtype=np.float64)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def penalty_mask(p: int) -> np.ndarray:
    """1.0 for penalised weights, 0.0 for the intercept (weight 0)."""
    mask = np.ones(p)
    mask[0] = 0.0
    return mask


def penalised_nll(w: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float) -> float:
    """Mean negative log-likelihood plus (lam/2) * squared norm of w[1:]."""
    z = X @ w
    data_term = np.mean(np.logaddexp(0.0, z) - y * z)
    return float(data_term + 0.5 * lam * np.sum(w[1:] ** 2))


def nll_gradient(w: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Gradient of `penalised_nll` with respect to w, shape (p,)."""
    n = X.shape[0]
    residual = sigmoid(X @ w) - y
    grad = X.T @ residual / n
    return grad + lam * penalty_mask(X.shape[1]) * w


def predict_proba(w: np.ndarray, X: np.ndarray) -> np.ndarray:
    """P(y = 1 | x) for every row of X."""
    return sigmoid(X @ w)
