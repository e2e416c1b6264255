"""Synthetic 1-D regression data drawn from a fixed seed."""

from __future__ import annotations

import numpy as np


def true_function(x: np.ndarray) -> np.ndarray:
    """The noise-free target: a smooth oscillation on a gentle trend."""
    return np.sin(2.0 * x) + 0.5 * np.cos(5.0 * x) + 0.2 * x


def make_data(
    n_train: int, n_test: int, noise_std: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (X_train, y_train, X_test, y_test), X of shape (n, 1), y of shape (n,).

    Draw order from `np.random.default_rng(seed)`: training inputs uniform on [-3, 3],
    their noise, then test inputs uniform on [-3, 3] and their noise. Targets are the true
    function plus Gaussian noise of standard deviation `noise_std`.
    """
    rng = np.random.default_rng(seed)
    x_tr = rng.uniform(-3.0, 3.0, size=n_train)
    y_tr = true_function(x_tr) + noise_std * rng.standard_normal(n_train)
    x_te = rng.uniform(-3.0, 3.0, size=n_test)
    y_te = true_function(x_te) + noise_std * rng.standard_normal(n_test)
    return x_tr[:, None], y_tr, x_te[:, None], y_te
