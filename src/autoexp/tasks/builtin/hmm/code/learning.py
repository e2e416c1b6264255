"""Maximum-likelihood estimation of an HMM by Baum-Welch (EM)."""

from __future__ import annotations

import numpy as np

from inference import backward_scaled, forward_scaled, log_likelihood, posteriors
from model import HMM


def baum_welch_step(model: HMM, sequences: list[np.ndarray]) -> tuple[HMM, float]:
    """One EM iteration over all sequences: (re-estimated model, log-likelihood of `model`)."""
    N, M = model.n_states, model.n_symbols
    pi_acc = np.zeros(N)
    trans = np.zeros((N, N))
    from_count = np.zeros(N)
    emit = np.zeros((N, M))
    total = 0.0
    for obs in sequences:
        alpha, c = forward_scaled(model.pi, model.A, model.B, obs)
        beta = backward_scaled(model.A, model.B, obs, c)
        gamma, xi_sum = posteriors(alpha, beta, c, model.A, model.B, obs)
        total += log_likelihood(c)
        pi_acc += gamma[0]
        trans += xi_sum
        from_count += gamma[:-1].sum(axis=0)
        for k in range(M):
            emit[:, k] += gamma[obs == k].sum(axis=0)
    pi = pi_acc / len(sequences)
    A = trans / from_count[:, None]
    B = emit / emit.sum(axis=1, keepdims=True)
    return HMM(pi, A, B), total


def fit(model: HMM, sequences: list[np.ndarray], n_iter: int) -> tuple[HMM, list[float]]:
    """Run n_iter Baum-Welch iterations; history[k] is the log-likelihood before iteration k+1."""
    history: list[float] = []
    for _ in range(n_iter):
        model, ll = baum_welch_step(model, sequences)
        history.append(ll)
    return model, history


def total_log_likelihood(model: HMM, sequences: list[np.ndarray]) -> float:
    """Sum over sequences of log P(o | model)."""
    return sum(log_likelihood(forward_scaled(model.pi, model.A, model.B, o)[1]) for o in sequences)
