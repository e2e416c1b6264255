"""Spectral clustering in the style of Ng, Jordan and Weiss (2002)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from affinity import rbf_affinity
from kmeans import KMeans


def normalized_affinity(W: np.ndarray) -> np.ndarray:
    """Symmetrically normalised affinity D^{-1/2} W D^{-1/2}."""
    d = W.sum(axis=1)
    if np.any(d <= 0):
        raise ValueError("every node needs a positive degree (isolated point in the graph)")
    inv_sqrt = 1.0 / np.sqrt(d)
    return W * inv_sqrt[:, None] * inv_sqrt[None, :]


def spectral_embedding(M: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the top-k eigenvectors of M, each row scaled to unit length."""
    M = 0.5 * (M + M.T)
    vals, vecs = np.linalg.eigh(M)
    order = np.argsort(vals)[::-1][:k]
    U = vecs[:, order]
    norms = np.linalg.norm(U, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("a row of the eigenvector matrix is zero; cannot normalise")
    return U / norms, vals[order]


@dataclass
class SpectralClustering:
    """Affinity graph -> normalised affinity -> spectral embedding -> k-means."""

    n_clusters: int
    sigma: float
    n_neighbors: int | None = None
    max_iter: int = 100
    labels_: np.ndarray | None = field(default=None, init=False)
    eigenvalues_: np.ndarray | None = field(default=None, init=False)
    embedding_: np.ndarray | None = field(default=None, init=False)
    inertia_: float | None = field(default=None, init=False)

    def fit(self, X: np.ndarray) -> SpectralClustering:
        W = rbf_affinity(X, self.sigma, self.n_neighbors)
        M = normalized_affinity(W)
        Y, vals = spectral_embedding(M, self.n_clusters)
        km = KMeans(self.n_clusters, max_iter=self.max_iter).fit(Y)
        self.labels_ = km.labels_
        self.eigenvalues_ = vals
        self.embedding_ = Y
        self.inertia_ = km.inertia_
        return self
