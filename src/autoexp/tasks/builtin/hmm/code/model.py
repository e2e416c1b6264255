"""A discrete hidden Markov model: parameters, checks and sampling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HMM:
    """pi (N,), A (N, N) with A[i, j] = P(s_{t+1}=j | s_t=i), B (N, M) with B[i, k] = P(o=k | s=i)."""

    pi: np.ndarray
    A: np.ndarray
    B: np.ndarray

    def __post_init__(self) -> None:
        n = self.pi.shape[0]
        if self.A.shape != (n, n) or self.B.shape[0] != n:
            raise ValueError("pi, A and B have inconsistent shapes")
        for name, p in (("pi", self.pi), ("A", self.A), ("B", self.B)):
            if np.any(p < 0) or not np.allclose(p.sum(axis=-1), 1.0):
                raise ValueError(f"{name} must be non-negative with rows summing to 1")

    @property
    def n_states(self) -> int:
        return int(self.pi.shape[0])

    @property
    def n_symbols(self) -> int:
        return int(self.B.shape[1])

    def sample(self, length: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Draw (states, observations), each of shape (length,), by inverse-CDF sampling.

        All uniforms are drawn up front (two per time step), so the result depends only on the
        generator's state.
        """
        u = rng.random((length, 2))
        cum_pi, cum_A, cum_B = np.cumsum(self.pi), np.cumsum(self.A, axis=1), np.cumsum(self.B, axis=1)
        states = np.empty(length, dtype=np.int64)
        obs = np.empty(length, dtype=np.int64)
        s = _draw(cum_pi, u[0, 0])
        for t in range(length):
            if t > 0:
                s = _draw(cum_A[s], u[t, 0])
            states[t] = s
            obs[t] = _draw(cum_B[s], u[t, 1])
        return states, obs


def _draw(cum: np.ndarray, u: float) -> int:
    """Index of the first cumulative probability above u (guarding against round-off)."""
    return int(min(np.searchsorted(cum, u, side="right"), cum.shape[0] - 1))


def true_model() -> HMM:
    """The three-state, five-symbol model that generates the paper's data."""
    pi = np.array([0.6, 0.3, 0.1])
    A = np.array([
        [0.80, 0.15, 0.05],
        [0.05, 0.80, 0.15],
        [0.15, 0.05, 0.80],
    ])
    B = np.array([
        [0.50, 0.30, 0.10, 0.05, 0.05],
        [0.05, 0.20, 0.50, 0.20, 0.05],
        [0.05, 0.05, 0.10, 0.30, 0.50],
    ])
    return HMM(pi, A, B)


def random_model(n_states: int, n_symbols: int, rng: np.random.Generator, stay: float = 0.8) -> HMM:
    """Starting point for learning: uniform pi, a "sticky" A and random emission rows.

    A keeps the current state with probability `stay` and spreads the rest evenly over the
    other states; each row of B is drawn from a flat Dirichlet distribution.
    """
    pi = np.full(n_states, 1.0 / n_states)
    A = np.full((n_states, n_states), (1.0 - stay) / (n_states - 1))
    np.fill_diagonal(A, stay)
    B = rng.dirichlet(np.ones(n_symbols), size=n_states)
    return HMM(pi, A, B)


def sample_many(
    model: HMM, n_sequences: int, length: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """n_sequences independent (states, observations) pairs from one seeded generator."""
    rng = np.random.default_rng(seed)
    return [model.sample(length, rng) for _ in range(n_sequences)]
