"""Two ways of minimising the penalised logistic loss: IRLS (Newton) and gradient descent."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model import nll_gradient, penalised_nll, penalty_mask, sigmoid


@dataclass
class FitResult:
    """Weights found by a solver and how it got there."""

    w: np.ndarray
    iterations: int
    converged: bool
    losses: list[float] = field(default_factory=list)


def newton_step(w: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """One Newton (IRLS) update of the weights; returns the new weight vector."""
    n, p = X.shape
    prob = sigmoid(X @ w)
    s = prob * (1.0 - prob)
    hessian = (X.T * s) @ X / n + lam * np.diag(penalty_mask(p))
    grad = nll_gradient(w, X, y, lam)
    return w - np.linalg.solve(hessian, grad)


def fit_irls(
    X: np.ndarray, y: np.ndarray, lam: float, tol: float = 1e-8, max_iter: int = 50
) -> FitResult:
    """Newton's method from w = 0 until the largest weight change falls below `tol`.

    `iterations` counts the Newton steps taken, including the one that met the tolerance;
    `losses[t]` is the objective after t steps (losses[0] is the value at w = 0).
    """
    w = np.zeros(X.shape[1])
    losses = [penalised_nll(w, X, y, lam)]
    for it in range(1, max_iter + 1):
        w_new = newton_step(w, X, y, lam)
        change = float(np.max(np.abs(w_new - w)))
        w = w_new
        losses.append(penalised_nll(w, X, y, lam))
        if not np.isfinite(change):
            return FitResult(w, it, False, losses)
        if change < tol:
            return FitResult(w, it, True, losses)
    return FitResult(w, max_iter, False, losses)


def gradient_descent(
    X: np.ndarray, y: np.ndarray, lam: float, step_size: float, n_steps: int
) -> FitResult:
    """Fixed-step gradient descent from w = 0 for exactly `n_steps` updates."""
    w = np.zeros(X.shape[1])
    losses = [penalised_nll(w, X, y, lam)]
    for _ in range(n_steps):
        w = w - step_size * nll_gradient(w, X, y, lam)
        losses.append(penalised_nll(w, X, y, lam))
    return FitResult(w, n_steps, False, losses)


def lipschitz_bound(X: np.ndarray, lam: float) -> float:
    """Upper bound on the curvature of the objective: lambda_max(X^T X) / (4n) + lam."""
    top = np.linalg.eigvalsh(X.T @ X)[-1]
    return float(top / (4.0 * X.shape[0]) + lam)
