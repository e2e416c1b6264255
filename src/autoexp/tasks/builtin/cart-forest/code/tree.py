"""A CART classification tree grown greedily with the Gini criterion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from criteria import gini_impurity
from splitter import best_split


@dataclass
class Node:
    """A tree node; a leaf when `feature` is None."""

    counts: np.ndarray
    """Class counts (length n_classes) of the training samples that reach this node."""
    feature: int | None = None
    """Split feature of an internal node."""
    threshold: float | None = None
    """Split threshold: X[:, feature] <= threshold goes left."""
    impurity: float | None = None
    """Size-weighted Gini impurity of the children produced by the split."""
    left: Node | None = None
    right: Node | None = None

    @property
    def is_leaf(self) -> bool:
        return self.feature is None


class DecisionTree:
    """CART classifier with depth / sample-count stopping and optional feature subsampling."""

    def __init__(
        self,
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int = 1,
        max_features: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.root: Node | None = None
        self.n_classes = 0
        self.n_features = 0

    def fit(self, X: np.ndarray, y: np.ndarray, n_classes: int | None = None) -> DecisionTree:
        self.n_classes = int(n_classes if n_classes is not None else y.max() + 1)
        self.n_features = X.shape[1]
        self.root = self._grow(X, y, 0)
        return self

    def _candidate_features(self) -> np.ndarray:
        """Features examined at one node: all of them, or a random subset without replacement."""
        if self.max_features is None or self.max_features >= self.n_features:
            return np.arange(self.n_features)
        return self.rng.choice(self.n_features, size=self.max_features, replace=False)

    def _grow(self, X: np.ndarray, y: np.ndarray, depth: int) -> Node:
        counts = np.bincount(y, minlength=self.n_classes)
        node = Node(counts=counts)
        n = len(y)
        if self.max_depth is not None and depth >= self.max_depth:
            return node
        if n < self.min_samples_split or counts.max() == n:
            return node
        split = best_split(
            X, y, self._candidate_features(), self.n_classes, self.min_samples_leaf
        )
        if split is None:
            return node
        go_left = X[:, split.feature] <= split.threshold
        node.feature = split.feature
        node.threshold = split.threshold
        node.impurity = split.impurity
        node.left = self._grow(X[go_left], y[go_left], depth + 1)
        node.right = self._grow(X[~go_left], y[~go_left], depth + 1)
        return node

    def _leaf(self, x: np.ndarray) -> Node:
        node = self.root
        while not node.is_leaf:
            node = node.left if x[node.feature] <= node.threshold else node.right
        return node

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Majority class of the leaf each row falls in (ties go to the smaller class index)."""
        return np.array([int(np.argmax(self._leaf(x).counts)) for x in X], dtype=np.int64)

    def n_leaves(self) -> int:
        return sum(1 for node in self._nodes() if node.is_leaf)

    def depth(self) -> int:
        def rec(node: Node) -> int:
            return 0 if node.is_leaf else 1 + max(rec(node.left), rec(node.right))

        return rec(self.root)

    def _nodes(self) -> list[Node]:
        out, stack = [], [self.root]
        while stack:
            node = stack.pop()
            out.append(node)
            if not node.is_leaf:
                stack.extend([node.right, node.left])
        return out

    def feature_importances(self) -> np.ndarray:
        """Mean decrease in impurity per feature, normalised to sum to one."""
        imp = np.zeros(self.n_features)
        n_root = self.root.counts.sum()
        for node in self._nodes():
            if node.is_leaf:
                continue
            n = node.counts.sum()
            imp[node.feature] += n / n_root * (gini_impurity(node.counts) - node.impurity)
        total = imp.sum()
        return imp / total if total > 0 else imp
