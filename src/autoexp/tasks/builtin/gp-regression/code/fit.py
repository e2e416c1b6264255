"""Type-II maximum likelihood: fitting the hyper-parameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from gp import lml_gradient, log_marginal_likelihood

LOG_BOUNDS = (-5.0, 5.0)
"""Box constraint applied to every log hyper-parameter during fitting."""


@dataclass(frozen=True)
class FitResult:
    """Outcome of one local optimisation of the log marginal likelihood."""

    theta: np.ndarray
    """The log hyper-parameters at the optimum found."""
    lml: float
    """Log marginal likelihood there."""
    n_iter: int
    """Number of L-BFGS-B iterations used."""


def fit_hyperparameters(
    X: np.ndarray, y: np.ndarray, starts: list[np.ndarray]
) -> tuple[FitResult, list[FitResult]]:
    results = []
    for theta0 in starts:
        res = minimize(
            lambda t: -log_marginal_likelihood(t, X, y),
            np.asarray(theta0, dtype=float),
            jac=lambda t: -lml_gradient(t, X, y),
            method="L-BFGS-B",
            bounds=[LOG_BOUNDS] * len(theta0),
            options={"ftol": 1e-12, "gtol": 1e-8, "maxiter": 500},
        )
        theta = np.asarray(res.x, dtype=float)
        results.append(FitResult(theta, log_marginal_likelihood(theta, X, y), int(res.nit)))
    best = results[0]
    for r in results[1:]:
        if r.lml > best.lml:
            best = r
    return best, results
