"""Random forest: bagged CART trees with per-node feature subsampling and hard voting."""

from __future__ import annotations

import numpy as np

from tree import DecisionTree


def majority_vote(votes: np.ndarray) -> np.ndarray:
    """Row-wise argmax of a (n_samples, n_classes) vote table; ties go to the smaller class."""
    return np.argmax(votes, axis=1).astype(np.int64)


class RandomForest:
    """An ensemble of `n_trees` CART trees, each fit on a bootstrap sample of the training set."""

    def __init__(
        self,
        n_trees: int = 25,
        max_features: int | None = None,
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int = 1,
        seed: int = 0,
    ) -> None:
        self.n_trees = n_trees
        self.max_features = max_features
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.rng = np.random.default_rng(seed)
        self.trees: list[DecisionTree] = []
        self.in_bag: list[np.ndarray] = []
        self.n_classes = 0

    def fit(self, X: np.ndarray, y: np.ndarray) -> RandomForest:
        n = len(y)
        self.n_classes = int(y.max() + 1)
        self.trees, self.in_bag = [], []
        for _ in range(self.n_trees):
            idx = self.rng.integers(0, n, size=n)
            tree = DecisionTree(
                max_depth=self.max_depth,
                min_samples_split=self.min_samples_split,
                min_samples_leaf=self.min_samples_leaf,
                max_features=self.max_features,
                rng=self.rng,
            )
            tree.fit(X[idx], y[idx], n_classes=self.n_classes)
            mask = np.zeros(n, dtype=bool)
            mask[idx] = True
            self.trees.append(tree)
            self.in_bag.append(mask)
        return self

    def votes(self, X: np.ndarray) -> np.ndarray:
        """(n_samples, n_classes) count of trees predicting each class."""
        out = np.zeros((len(X), self.n_classes))
        rows = np.arange(len(X))
        for tree in self.trees:
            out[rows, tree.predict(X)] += 1
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        return majority_vote(self.votes(X))

    def oob_score(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        n = len(y)
        votes = np.zeros((n, self.n_classes))
        for tree, mask in zip(self.trees, self.in_bag, strict=True):
            oob = np.flatnonzero(~mask)
            if len(oob) == 0:
                continue
            votes[oob, tree.predict(X[oob])] += 1
        covered = votes.sum(axis=1) > 0
        pred = majority_vote(votes[covered])
        return float(np.mean(pred == y[covered])), float(covered.mean())
