"""The paper's experiments, each returning a flat dict of metrics."""

from __future__ import annotations

import numpy as np

from data import centre, load_pixels
from metrics import (
    exact_top_k,
    explained_variance_ratio,
    max_principal_angle,
    relative_reconstruction_error,
)
from power import covariance_matrix, top_k_power
from randomized import randomized_svd

K = 5
"""Number of principal components."""
POWER_MAX_ITER = 2000
"""Cap on power iterations per component."""
POWER_TOL = 1e-10
"""Power iteration stops once the unit vector moves by less than this."""
OVERSAMPLE = 5
"""Extra random directions in the randomized range finder."""


def first_image_scores(scores: np.ndarray) -> dict[str, float]:
    """The coordinates of the first image in the component basis, as x0_pc1, x0_pc2, ..."""
    return {f"x0_pc{j + 1}": float(v) for j, v in enumerate(scores)}


def exp_power(seed: int = 0, n_samples: int | None = None) -> dict[str, float]:
    """Top-K principal components of the digits by power iteration with deflation."""
    X = load_pixels()[:n_samples]
    C = covariance_matrix(X)
    pairs = top_k_power(C, K, np.random.default_rng(seed), POWER_MAX_ITER, POWER_TOL)
    _, exact_vectors = exact_top_k(C, K)
    Xc, _ = centre(X)
    scores = Xc[0] @ pairs.vectors
    return {
        "lambda_1": float(pairs.values[0]),
        "lambda_5": float(pairs.values[K - 1]),
        "evr_5": explained_variance_ratio(pairs.values, float(np.trace(C))),
        "iterations": int(sum(pairs.iterations)),
        "max_angle_deg": max_principal_angle(pairs.vectors, exact_vectors),
        **first_image_scores(scores),
    }


def exp_randomized(n_power: int, seed: int = 0, n_samples: int | None = None) -> dict[str, float]:
    """Top-K components from a randomized SVD of the centred digits (generator seed 0)."""
    X = load_pixels()[:n_samples]
    Xc, _ = centre(X)
    n = X.shape[0]
    U, S, Vt = randomized_svd(Xc, K, OVERSAMPLE, n_power, np.random.default_rng(seed))
    C = covariance_matrix(X)
    _, exact_vectors = exact_top_k(C, K)
    V = Vt.T
    scores = U[0] * S
    return {
        "sigma_1": float(S[0]),
        "evr_5": explained_variance_ratio(S**2 / (n - 1), float(np.trace(C))),
        "rel_error": relative_reconstruction_error(Xc, V),
        "max_angle_deg": max_principal_angle(V, exact_vectors),
        **first_image_scores(scores),
    }


EXPERIMENTS = {
    "power": exp_power,
    "rsvd": lambda **kw: exp_randomized(n_power=2, **kw),
    "rsvd-q0": lambda **kw: exp_randomized(n_power=0, **kw),
}
