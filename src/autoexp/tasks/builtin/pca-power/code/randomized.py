"""Randomized truncated SVD in the style of Halko, Martinsson and Tropp (2011)."""

from __future__ import annotations

import numpy as np


def randomized_range_finder(
    A: np.ndarray, size: int, n_power: int, rng: np.random.Generator
) -> np.ndarray:
    """Orthonormal m x size basis approximating the dominant column space of A (m x n)."""
    omega = rng.standard_normal((A.shape[1], size))
    Q, _ = np.linalg.qr(A @ omega)
    for _ in range(n_power):
        Z, _ = np.linalg.qr(A.T @ Q)
        Q, _ = np.linalg.qr(A @ Z)
    return Q


def randomized_svd(
    A: np.ndarray, k: int, oversample: int, n_power: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank-k approximation A ~ U diag(S) Vt from a randomized range of size k + oversample."""
    Q = randomized_range_finder(A, k + oversample, n_power, rng)
    B = Q.T @ A
    U_small, S, Vt = np.linalg.svd(B, full_matrices=False)
    U = Q @ U_small[:, :k]
    S = S[:k]
    Vt = Vt[:k].copy()
    for j in range(k):
        i = int(np.argmax(np.abs(Vt[j])))
        if Vt[j, i] < 0:
            Vt[j] = -Vt[j]
            U[:, j] = -U[:, j]
    return U, S, Vt
