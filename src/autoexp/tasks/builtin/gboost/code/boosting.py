"""Gradient tree boosting with shrinkage (Friedman's TreeBoost)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import numpy as np

from regtree import RegressionTree


class GradientBoostingRegressor:
    """An additive model F_M(x) = F_0 + lr * sum_m h_m(x) of small regression trees."""

    def __init__(
        self,
        loss,
        n_estimators: int = 100,
        learning_rate: float = 0.1,
        max_depth: int = 3,
        min_samples_leaf: int = 5,
    ) -> None:
        self.loss = loss
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.init_ = 0.0
        self.trees: list[RegressionTree] = []
        self.train_loss: list[float] = []

    def fit(self, X: np.ndarray, y: np.ndarray) -> GradientBoostingRegressor:
        self.init_ = self.loss.init_estimate(y)
        f = np.full(len(y), self.init_)
        self.trees, self.train_loss = [], []
        for _ in range(self.n_estimators):
            r = self.loss.negative_gradient(y, f)
            tree = RegressionTree(self.max_depth, self.min_samples_leaf).fit(X, r)
            leaf = tree.apply(X)
            gamma = self.loss.leaf_values(y, f, leaf, tree.n_leaves)
            tree.set_leaf_values(gamma)
            f = f + self.learning_rate * gamma[leaf]
            self.trees.append(tree)
            self.train_loss.append(self.loss.loss(y, f))
        return self

    def staged_predict(self, X: np.ndarray) -> Iterator[np.ndarray]:
        f = np.full(len(X), self.init_)
        for tree in self.trees:
            f = f + self.learning_rate * tree.predict(X)
            yield f.copy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Prediction of the full model (the last stage)."""
        last = deque(self.staged_predict(X), maxlen=1)
        return last[0] if last else np.full(len(X), self.init_)
