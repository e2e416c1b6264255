"""Lloyd's algorithm: alternate nearest-centre assignment and centre re-estimation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LloydResult:
    """The outcome of one run of Lloyd's algorithm."""

    centres: np.ndarray
    labels: np.ndarray
    inertia: float
    iterations: int
    converged: bool


def squared_distances(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """(n, k) matrix of squared Euclidean distances between the rows of X and of C."""
    diff = X[:, None, :] - C[None, :, :]
    return np.einsum("nkd,nkd->nk", diff, diff)


def inertia(X: np.ndarray, C: np.ndarray, labels: np.ndarray) -> float:
    """Sum over points of the squared distance to the centre they are assigned to."""
    return float(np.sum((X - C[labels]) ** 2))


def assign_labels(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Index of the nearest centre for every point (ties go to the lowest index)."""
    return np.argmin(squared_distances(X, C), axis=1)


def update_centres(X: np.ndarray, labels: np.ndarray, C_old: np.ndarray) -> np.ndarray:
    """Mean of the points assigned to each centre; an empty cluster keeps its old centre."""
    k, d = C_old.shape
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros((k, d))
    np.add.at(sums, labels, X)
    C = C_old.copy()
    nonempty = counts > 0
    C[nonempty] = sums[nonempty] / counts[nonempty, None]
    return C


def lloyd(X: np.ndarray, C0: np.ndarray, max_iter: int = 100) -> LloydResult:
    """Run Lloyd's algorithm from the centres C0 until the assignment stops changing."""
    C = C0.copy()
    labels = assign_labels(X, C)
    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        C = update_centres(X, labels, C)
        new_labels = assign_labels(X, C)
        if np.array_equal(new_labels, labels):
            converged = True
            break
        labels = new_labels
    return LloydResult(C, labels, inertia(X, C, labels), iterations, converged)
