"""A deterministic k-means: farthest-point seeding followed by Lloyd iterations."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class KMeans:
    """k-means with a seeding rule that uses no random numbers."""

    n_clusters: int
    max_iter: int = 100
    labels_: np.ndarray | None = field(default=None, init=False)
    centers_: np.ndarray | None = field(default=None, init=False)
    inertia_: float | None = field(default=None, init=False)
    n_iter_: int = field(default=0, init=False)

    def fit(self, X: np.ndarray) -> KMeans:
        """Seed by farthest-point traversal, then run Lloyd's algorithm to convergence."""
        X = np.asarray(X, dtype=float)
        n, k = X.shape[0], self.n_clusters
        first = int(np.argmin(np.sum((X - X.mean(axis=0)) ** 2, axis=1)))
        chosen = [first]
        d2 = np.sum((X - X[first]) ** 2, axis=1)
        for _ in range(1, k):
            nxt = int(np.argmax(d2))
            chosen.append(nxt)
            d2 = np.minimum(d2, np.sum((X - X[nxt]) ** 2, axis=1))
        centers = X[chosen].copy()
        labels = np.full(n, -1)
        it = 0
        for it in range(1, self.max_iter + 1):
            dist = np.sum((X[:, None, :] - centers[None, :, :]) ** 2, axis=2)
            new = np.argmin(dist, axis=1)
            if np.array_equal(new, labels):
                break
            labels = new
            for j in range(k):
                members = X[labels == j]
                if len(members):
                    centers[j] = members.mean(axis=0)
        self.labels_ = labels
        self.centers_ = centers
        self.inertia_ = float(np.sum((X - centers[labels]) ** 2))
        self.n_iter_ = it
        return self
