"""Similarity graphs built from point coordinates."""

from __future__ import annotations

import numpy as np


def pairwise_sq_dists(X: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between all rows of X, shape (n, n), clipped at 0."""
    sq = np.sum(X * X, axis=1)
    D = sq[:, None] + sq[None, :] - 2.0 * (X @ X.T)
    np.maximum(D, 0.0, out=D)
    np.fill_diagonal(D, 0.0)
    return D


def rbf_affinity(X: np.ndarray, sigma: float, n_neighbors: int | None = None) -> np.ndarray:
    """Gaussian (RBF) affinity matrix, optionally sparsified to a symmetric k-NN graph."""
    D = pairwise_sq_dists(X)
    W = np.exp(-D / (2.0 * sigma**2))
    np.fill_diagonal(W, 0.0)
    if n_neighbors is None:
        return W
    n = X.shape[0]
    if not 0 < n_neighbors < n:
        raise ValueError("n_neighbors must be between 1 and n - 1")
    order = np.argsort(D + np.diag(np.full(n, np.inf)), axis=1, kind="stable")
    keep = np.zeros((n, n), dtype=bool)
    rows = np.repeat(np.arange(n), n_neighbors)
    keep[rows, order[:, :n_neighbors].ravel()] = True
    keep = keep | keep.T
    return np.where(keep, W, 0.0)


def graph_components(W: np.ndarray) -> int:
    """Number of connected components of the graph whose edges are the non-zero entries of W."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    count, _ = connected_components(csr_matrix(W > 0), directed=False)
    return int(count)
