"""Scaled forward-backward recursions and posterior marginals."""

from __future__ import annotations

import numpy as np


def forward_scaled(
    pi: np.ndarray, A: np.ndarray, B: np.ndarray, obs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled forward pass: normalised alphas (T, N) and scale factors c (T,)."""
    T, N = obs.shape[0], pi.shape[0]
    alpha = np.empty((T, N))
    c = np.empty(T)
    a = pi * B[:, obs[0]]
    c[0] = a.sum()
    alpha[0] = a / c[0]
    for t in range(1, T):
        a = (alpha[t - 1] @ A) * B[:, obs[t]]
        c[t] = a.sum()
        alpha[t] = a / c[t]
    return alpha, c


def log_likelihood(c: np.ndarray) -> float:
    """log P(o_1..o_T) from the scale factors of the forward pass."""
    return float(np.sum(np.log(c)))


def backward_scaled(A: np.ndarray, B: np.ndarray, obs: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Scaled backward pass using the forward scale factors: betas (T, N)."""
    T, N = obs.shape[0], A.shape[0]
    beta = np.empty((T, N))
    beta[T - 1] = 1.0
    for t in range(T - 2, -1, -1):
        beta[t] = A @ (B[:, obs[t + 1]] * beta[t + 1]) / c[t + 1]
    return beta


def posteriors(
    alpha: np.ndarray, beta: np.ndarray, c: np.ndarray, A: np.ndarray, B: np.ndarray,
    obs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """State marginals gamma (T, N) and expected transition counts summed over time (N, N)."""
    gamma = alpha * beta
    right = B[:, obs[1:]].T * beta[1:] / c[1:, None]
    xi_sum = A * (alpha[:-1].T @ right)
    return gamma, xi_sum
