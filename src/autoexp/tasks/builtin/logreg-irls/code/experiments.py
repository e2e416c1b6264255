"""The three experiments of the paper, each returning a flat dict of metrics."""

from __future__ import annotations

import numpy as np

from data import Split, make_split
from evaluate import evaluate
from solvers import fit_irls, gradient_descent, lipschitz_bound

LAMBDA = 1e-2
"""Ridge strength used throughout (on the mean log-likelihood scale)."""
IRLS_TOL = 1e-8
"""IRLS stops once no weight moves by this much or more."""
GD_STEPS = 100
"""Number of gradient steps in the fixed-budget comparison."""
RACE_GAP = 1e-6
"""Suboptimality that counts as 'solved' in the race between the two solvers."""
RACE_MAX_STEPS = 5000
"""Gradient descent gives up after this many steps in the race."""


def _split(seed: int = 0) -> Split:
    return make_split(test_fraction=0.3, seed=seed)


def exp_irls(seed: int = 0, lam: float = LAMBDA) -> dict[str, float]:
    """Fit by IRLS to convergence; report cost, fit and held-out quality."""
    s = _split(seed)
    fit = fit_irls(s.X_train, s.y_train, lam, tol=IRLS_TOL)
    test = evaluate(fit.w, s.X_test, s.y_test)
    return {
        "iterations": fit.iterations,
        "train_loss": fit.losses[-1],
        "weight_norm": float(np.linalg.norm(fit.w[1:])),
        "test_accuracy": test["accuracy"],
        "test_log_loss": test["log_loss"],
    }


def exp_gd(seed: int = 0, lam: float = LAMBDA) -> dict[str, float]:
    """Run gradient descent with step 1/L for a fixed budget of steps."""
    s = _split(seed)
    step = 1.0 / lipschitz_bound(s.X_train, lam)
    fit = gradient_descent(s.X_train, s.y_train, lam, step, GD_STEPS)
    test = evaluate(fit.w, s.X_test, s.y_test)
    return {
        "loss_at_10": fit.losses[10],
        "train_loss": fit.losses[-1],
        "test_accuracy": test["accuracy"],
        "test_log_loss": test["log_loss"],
    }


def steps_to_gap(losses: list[float], best: float, gap: float) -> int:
    """First t with losses[t] - best <= gap, or -1 if the trajectory never gets there."""
    for t, value in enumerate(losses):
        if value - best <= gap:
            return t
    return -1


def exp_race(seed: int = 0, lam: float = LAMBDA) -> dict[str, float]:
    """How many steps each solver needs to come within RACE_GAP of the optimum."""
    s = _split(seed)
    reference = fit_irls(s.X_train, s.y_train, lam, tol=IRLS_TOL)
    best = reference.losses[-1]
    step = 1.0 / lipschitz_bound(s.X_train, lam)
    gd = gradient_descent(s.X_train, s.y_train, lam, step, RACE_MAX_STEPS)
    irls_steps = steps_to_gap(reference.losses, best, RACE_GAP)
    gd_steps = steps_to_gap(gd.losses, best, RACE_GAP)
    return {
        "optimum": best,
        "irls_steps": irls_steps,
        "gd_steps": gd_steps,
    }


EXPERIMENTS = {"irls": exp_irls, "gd": exp_gd, "race": exp_race}
