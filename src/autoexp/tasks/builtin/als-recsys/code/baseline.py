"""Global mean plus user and item biases, fitted by regularised alternating least squares."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from data import Ratings, group_by


@dataclass
class BiasBaseline:
    """Predicts mu + b_u + b_i."""

    reg: float = 5.0
    n_iter: int = 10
    mu: float = field(default=0.0, init=False)
    user_bias: np.ndarray | None = field(default=None, init=False)
    item_bias: np.ndarray | None = field(default=None, init=False)

    def fit(self, train: Ratings) -> BiasBaseline:
        """Fit the global mean and the regularised biases on the training entries."""
        r = train.values
        self.mu = float(r.mean())
        bu = np.zeros(train.n_users)
        bi = np.zeros(train.n_items)
        by_user = group_by(train.users, train.n_users)
        by_item = group_by(train.items, train.n_items)
        for _ in range(self.n_iter):
            for u, pos in enumerate(by_user):
                bu[u] = np.sum(r[pos] - self.mu - bi[train.items[pos]]) / (self.reg + len(pos))
            for i, pos in enumerate(by_item):
                bi[i] = np.sum(r[pos] - self.mu - bu[train.users[pos]]) / (self.reg + len(pos))
        self.user_bias = bu
        self.item_bias = bi
        return self

    def raw(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Unclipped mu + b_u + b_i for each (user, item) pair."""
        assert self.user_bias is not None and self.item_bias is not None, "call fit first"
        return self.mu + self.user_bias[users] + self.item_bias[items]

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Predicted ratings, clipped to the 1..5 scale."""
        return np.clip(self.raw(users, items), 1.0, 5.0)
