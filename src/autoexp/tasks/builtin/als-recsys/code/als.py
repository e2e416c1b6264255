"""Matrix factorisation by alternating least squares with weighted-lambda regularisation.

The factor model explains what the bias baseline leaves over: the prediction for (u, i) is
baseline(u, i) + p_u . q_i.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from baseline import BiasBaseline
from data import Ratings, group_by


def update_factors(
    groups: list[np.ndarray],
    other_index: np.ndarray,
    residuals: np.ndarray,
    other_factors: np.ndarray,
    reg: float,
) -> np.ndarray:
    """Solve the regularised least-squares problem of every row of one side of the model."""
    rank = other_factors.shape[1]
    out = np.zeros((len(groups), rank))
    eye = np.eye(rank)
    for g, pos in enumerate(groups):
        if len(pos) == 0:
            continue
        F = other_factors[other_index[pos]]
        A = F.T @ F + reg * len(pos) * eye
        out[g] = np.linalg.solve(A, F.T @ residuals[pos])
    return out


def regularized_objective(
    residuals: np.ndarray,
    users: np.ndarray,
    items: np.ndarray,
    P: np.ndarray,
    Q: np.ndarray,
    reg: float,
) -> float:
    """ALS-WR training objective: squared error plus count-weighted factor penalties."""
    err = residuals - np.sum(P[users] * Q[items], axis=1)
    n_u = np.bincount(users, minlength=P.shape[0])
    n_i = np.bincount(items, minlength=Q.shape[0])
    penalty = np.sum(n_u * np.sum(P**2, axis=1)) + np.sum(n_i * np.sum(Q**2, axis=1))
    return float(np.sum(err**2) + reg * penalty)


@dataclass
class ALS:
    """Bias baseline plus a rank-`rank` factor model fitted by ALS-WR."""

    rank: int
    reg: float
    baseline: BiasBaseline
    n_iter: int = 10
    init_scale: float = 0.1
    seed: int = 0
    P: np.ndarray | None = field(default=None, init=False)
    Q: np.ndarray | None = field(default=None, init=False)
    history: list[float] = field(default_factory=list, init=False)

    def fit(self, train: Ratings) -> ALS:
        """Alternate user and item updates on the baseline residuals, n_iter sweeps."""
        resid = train.values - self.baseline.raw(train.users, train.items)
        rng = np.random.default_rng(self.seed)
        Q = self.init_scale * rng.standard_normal((train.n_items, self.rank))
        by_user = group_by(train.users, train.n_users)
        by_item = group_by(train.items, train.n_items)
        self.history = []
        P = np.zeros((train.n_users, self.rank))
        for _ in range(self.n_iter):
            P = update_factors(by_user, train.items, resid, Q, self.reg)
            Q = update_factors(by_item, train.users, resid, P, self.reg)
            obj = regularized_objective(resid, train.users, train.items, P, Q, self.reg)
            self.history.append(obj)
        self.P, self.Q = P, Q
        return self

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Predicted ratings, clipped to the 1..5 scale."""
        assert self.P is not None and self.Q is not None, "call fit first"
        pred = self.baseline.raw(users, items) + np.sum(self.P[users] * self.Q[items], axis=1)
        return np.clip(pred, 1.0, 5.0)
