"""Ways of comparing an approximate principal subspace with the exact one."""

from __future__ import annotations

import numpy as np


def max_principal_angle(V1: np.ndarray, V2: np.ndarray) -> float:
    """Largest principal angle, in degrees, between the column spans of V1 and V2."""
    Q1, _ = np.linalg.qr(V1)
    Q2, _ = np.linalg.qr(V2)
    cosines = np.linalg.svd(Q1.T @ Q2, compute_uv=False)
    return float(np.degrees(np.arccos(np.clip(cosines.min(), -1.0, 1.0))))


def explained_variance_ratio(component_variances: np.ndarray, total_variance: float) -> float:
    """Share of the total variance carried by the given components."""
    return float(np.sum(component_variances) / total_variance)


def relative_reconstruction_error(Xc: np.ndarray, V: np.ndarray) -> float:
    """||Xc - Xc V V^T||_F / ||Xc||_F for a d x k matrix V with orthonormal columns."""
    residual = Xc - (Xc @ V) @ V.T
    return float(np.linalg.norm(residual) / np.linalg.norm(Xc))


def exact_top_k(C: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k eigenvalues (decreasing) and eigenvectors of the symmetric matrix C by LAPACK."""
    values, vectors = np.linalg.eigh(C)
    order = np.argsort(values)[::-1][:k]
    return values[order], vectors[:, order]
