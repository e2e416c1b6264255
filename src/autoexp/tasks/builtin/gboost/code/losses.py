"""Loss functions for gradient boosting: initial estimate, pseudo-residuals, leaf line search."""

from __future__ import annotations

import numpy as np


class SquaredLoss:
    """L(y, F) = (y - F)^2, reported as the mean squared error."""

    name = "squared"

    def init_estimate(self, y: np.ndarray) -> float:
        return float(np.mean(y))

    def negative_gradient(self, y: np.ndarray, f: np.ndarray) -> np.ndarray:
        return y - f

    def leaf_values(
        self, y: np.ndarray, f: np.ndarray, leaf: np.ndarray, n_leaves: int
    ) -> np.ndarray:
        """Exact line search per leaf: the mean residual of the rows in the leaf."""
        sums = np.bincount(leaf, weights=y - f, minlength=n_leaves)
        counts = np.bincount(leaf, minlength=n_leaves)
        return sums / counts

    def loss(self, y: np.ndarray, f: np.ndarray) -> float:
        return float(np.mean((y - f) ** 2))


class HuberLoss:
    """Huber loss with a transition point delta re-estimated as a quantile of |y - F|."""

    name = "huber"

    def __init__(self, alpha: float = 0.9) -> None:
        self.alpha = alpha
        self.delta = np.inf

    def init_estimate(self, y: np.ndarray) -> float:
        return float(np.median(y))

    def negative_gradient(self, y: np.ndarray, f: np.ndarray) -> np.ndarray:
        r = y - f
        self.delta = float(np.quantile(np.abs(r), self.alpha))
        return np.where(np.abs(r) <= self.delta, r, self.delta * np.sign(r))

    def leaf_values(
        self, y: np.ndarray, f: np.ndarray, leaf: np.ndarray, n_leaves: int
    ) -> np.ndarray:
        out = np.zeros(n_leaves)
        for j in range(n_leaves):
            r = (y - f)[leaf == j]
            med = np.median(r)
            dev = r - med
            out[j] = med + np.mean(np.sign(dev) * np.minimum(self.delta, np.abs(dev)))
        return out

    def loss(self, y: np.ndarray, f: np.ndarray) -> float:
        a = np.abs(y - f)
        quad = 0.5 * a**2
        lin = self.delta * (a - 0.5 * self.delta)
        return float(np.mean(np.where(a <= self.delta, quad, lin)))
