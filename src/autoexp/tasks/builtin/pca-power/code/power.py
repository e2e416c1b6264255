"""Eigenvectors of a symmetric positive semi-definite matrix by power iteration and deflation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class PowerResult:
    """One eigenpair found by power iteration."""

    value: float
    vector: np.ndarray
    iterations: int


@dataclass
class Eigenpairs:
    """The top-k eigenpairs, eigenvalues in the order found (decreasing)."""

    values: np.ndarray
    vectors: np.ndarray
    iterations: list[int]


def covariance_matrix(X: np.ndarray) -> np.ndarray:
    """Unbiased sample covariance (d x d) of the rows of X."""
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / (X.shape[0] - 1)


def fix_sign(v: np.ndarray) -> np.ndarray:
    """Flip v so that its entry of largest magnitude (the first one on ties) is positive."""
    i = int(np.argmax(np.abs(v)))
    return v if v[i] >= 0 else -v


def power_iteration(A: np.ndarray, v0: np.ndarray, max_iter: int, tol: float) -> PowerResult:
    """Dominant eigenpair of the symmetric PSD matrix A, starting from direction v0."""
    v = v0 / np.linalg.norm(v0)
    iterations = max_iter
    for t in range(1, max_iter + 1):
        w = A @ v
        v_next = w / np.linalg.norm(w)
        step = np.linalg.norm(v_next - v)
        v = v_next
        if step < tol:
            iterations = t
            break
    value = float(v @ A @ v)
    return PowerResult(value, fix_sign(v), iterations)


def top_k_power(
    A: np.ndarray, k: int, rng: np.random.Generator, max_iter: int = 2000, tol: float = 1e-10
) -> Eigenpairs:
    """Top-k eigenpairs of A: power iteration, then Hotelling deflation, k times."""
    d = A.shape[0]
    B = A.copy()
    values = np.zeros(k)
    vectors = np.zeros((d, k))
    iterations = []
    for j in range(k):
        v0 = rng.standard_normal(d)
        res = power_iteration(B, v0, max_iter, tol)
        values[j] = res.value
        vectors[:, j] = res.vector
        iterations.append(res.iterations)
        B = B - res.value * np.outer(res.vector, res.vector)
    return Eigenpairs(values, vectors, iterations)
