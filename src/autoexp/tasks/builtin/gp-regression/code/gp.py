"""Exact Gaussian-process regression with an RBF kernel and Gaussian noise.

Hyper-parameters are handled as theta = [log lengthscale, log signal_std, log noise_std].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular

from kernels import rbf_kernel, sq_dists


@dataclass(frozen=True)
class Hyper:
    """RBF-kernel GP hyper-parameters on their natural scale."""

    lengthscale: float
    signal_std: float
    noise_std: float

    @classmethod
    def from_theta(cls, theta: np.ndarray) -> Hyper:
        """Build from [log lengthscale, log signal_std, log noise_std]."""
        ell, sf, sn = np.exp(np.asarray(theta, dtype=float))
        return cls(float(ell), float(sf), float(sn))

    def theta(self) -> np.ndarray:
        """The log-parameter vector."""
        return np.log([self.lengthscale, self.signal_std, self.noise_std])


def train_cov(X: np.ndarray, hyp: Hyper) -> np.ndarray:
    """Covariance of the noisy training targets: K(X, X) + noise_std^2 I."""
    K = rbf_kernel(X, X, hyp.lengthscale, hyp.signal_std)
    return K + hyp.noise_std**2 * np.eye(len(X))


def log_marginal_likelihood(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    hyp = Hyper.from_theta(theta)
    n = len(y)
    L = cholesky(train_cov(X, hyp), lower=True)
    alpha = cho_solve((L, True), y)
    data_fit = -0.5 * float(y @ alpha)
    complexity = -float(np.sum(np.log(np.diag(L))))
    return data_fit + complexity - 0.5 * n * np.log(2.0 * np.pi)


def lml_gradient(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    hyp = Hyper.from_theta(theta)
    n = len(y)
    Kf = rbf_kernel(X, X, hyp.lengthscale, hyp.signal_std)
    L = cholesky(Kf + hyp.noise_std**2 * np.eye(n), lower=True)
    alpha = cho_solve((L, True), y)
    Kinv = cho_solve((L, True), np.eye(n))
    A = np.outer(alpha, alpha) - Kinv
    dK_dlog_ell = Kf * sq_dists(X, X) / hyp.lengthscale**2
    dK_dlog_sf = 2.0 * Kf
    dK_dlog_sn = 2.0 * hyp.noise_std**2 * np.eye(n)
    return np.array([0.5 * np.sum(A * dK) for dK in (dK_dlog_ell, dK_dlog_sf, dK_dlog_sn)])


def posterior_predict(
    X: np.ndarray, y: np.ndarray, X_star: np.ndarray, hyp: Hyper
) -> tuple[np.ndarray, np.ndarray]:
    L = cholesky(train_cov(X, hyp), lower=True)
    alpha = cho_solve((L, True), y)
    K_s = rbf_kernel(X, X_star, hyp.lengthscale, hyp.signal_std)
    mean = K_s.T @ alpha
    V = solve_triangular(L, K_s, lower=True)
    var = hyp.signal_std**2 - np.sum(V * V, axis=0)
    return mean, var
