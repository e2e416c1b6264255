"""Depth-limited least-squares regression trees, the weak learners of the boosting model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

REL_TIE = 1e-9
"""A later candidate must beat the best gain by more than REL_TIE * |best gain| to replace it."""


class Split(NamedTuple):
    feature: int
    threshold: float
    gain: float  # decrease of the sum of squared errors


def best_split(
    X: np.ndarray, r: np.ndarray, min_samples_leaf: int
) -> Split | None:
    n, d = X.shape
    best: Split | None = None
    for f in range(d):
        order = np.argsort(X[:, f], kind="stable")
        xs, rs = X[order, f], r[order]
        csum = np.cumsum(rs)[:-1]
        total = rs.sum()
        n_left = np.arange(1, n, dtype=np.float64)
        n_right = n - n_left
        gain = csum**2 / n_left + (total - csum) ** 2 / n_right - total**2 / n
        valid = xs[1:] != xs[:-1]
        valid &= (n_left >= min_samples_leaf) & (n_right >= min_samples_leaf)
        if not valid.any():
            continue
        i = int(np.argmax(np.where(valid, gain, -np.inf)))
        if best is None or gain[i] > best.gain + REL_TIE * abs(best.gain):
            best = Split(f, float((xs[i] + xs[i + 1]) / 2), float(gain[i]))
    return best


@dataclass
class Node:
    value: float
    """Prediction of the node (used when it is a leaf)."""
    feature: int | None = None
    threshold: float | None = None
    left: Node | None = None
    right: Node | None = None
    leaf_id: int = -1
    """Index of the leaf, numbered depth-first with the left child first (-1 for inner nodes)."""


class RegressionTree:
    """Greedy least-squares regression tree with depth and leaf-size limits."""

    def __init__(self, max_depth: int = 3, min_samples_leaf: int = 1) -> None:
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.root: Node | None = None
        self.leaves: list[Node] = []

    @property
    def n_leaves(self) -> int:
        return len(self.leaves)

    def fit(self, X: np.ndarray, r: np.ndarray) -> RegressionTree:
        self.leaves = []
        self.root = self._grow(X, r, 0)
        return self

    def _grow(self, X: np.ndarray, r: np.ndarray, depth: int) -> Node:
        node = Node(value=float(r.mean()))
        split = None
        if depth < self.max_depth and len(r) >= 2 * self.min_samples_leaf:
            split = best_split(X, r, self.min_samples_leaf)
        if split is None:
            node.leaf_id = len(self.leaves)
            self.leaves.append(node)
            return node
        go_left = X[:, split.feature] <= split.threshold
        node.feature, node.threshold = split.feature, split.threshold
        node.left = self._grow(X[go_left], r[go_left], depth + 1)
        node.right = self._grow(X[~go_left], r[~go_left], depth + 1)
        return node

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Leaf index of every row."""
        out = np.empty(len(X), dtype=np.int64)
        stack = [(self.root, np.arange(len(X)))]
        while stack:
            node, rows = stack.pop()
            if node.feature is None:
                out[rows] = node.leaf_id
                continue
            go_left = X[rows, node.feature] <= node.threshold
            stack.append((node.left, rows[go_left]))
            stack.append((node.right, rows[~go_left]))
        return out

    def set_leaf_values(self, values: np.ndarray) -> None:
        """Overwrite the leaf predictions (e.g. with loss-specific line-search values)."""
        for leaf, v in zip(self.leaves, values, strict=True):
            leaf.value = float(v)

    def predict(self, X: np.ndarray) -> np.ndarray:
        values = np.array([leaf.value for leaf in self.leaves])
        return values[self.apply(X)]
