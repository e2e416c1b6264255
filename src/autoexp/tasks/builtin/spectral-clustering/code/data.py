"""Synthetic two-dimensional data sets with known cluster labels.

Both generators draw every random number from the generator they are given, so a data set
is fully determined by the seed used to build that generator.
"""

from __future__ import annotations

import numpy as np


def _split(n: int) -> tuple[int, int]:
    """Sizes of the two groups: the first gets the extra point when n is odd."""
    first = (n + 1) // 2
    return first, n - first


def _shuffle(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Apply one random permutation to points and labels so that order carries no signal."""
    perm = rng.permutation(len(y))
    return X[perm], y[perm]


def two_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles with isotropic Gaussian noise.

    The upper moon is the unit half circle centred at the origin; the lower one is the same
    half circle flipped and shifted by (1, 0.5). Points are evenly spaced in angle before the
    noise is added. Returns X of shape (n, 2) and integer labels y in {0, 1}.
    """
    n_up, n_low = _split(n)
    t_up = np.linspace(0.0, np.pi, n_up)
    t_low = np.linspace(0.0, np.pi, n_low)
    upper = np.column_stack([np.cos(t_up), np.sin(t_up)])
    lower = np.column_stack([1.0 - np.cos(t_low), 0.5 - np.sin(t_low)])
    X = np.vstack([upper, lower])
    y = np.concatenate([np.zeros(n_up, dtype=int), np.ones(n_low, dtype=int)])
    X = X + rng.normal(scale=noise, size=X.shape)
    return _shuffle(X, y, rng)


def concentric_circles(
    n: int, factor: float, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric rings: the outer of radius 1, the inner of radius `factor`.

    Label 0 is the outer ring, label 1 the inner ring. Angles are evenly spaced on
    [0, 2*pi) and Gaussian noise of standard deviation `noise` is added to both coordinates.
    """
    if not 0.0 < factor < 1.0:
        raise ValueError("factor must lie strictly between 0 and 1")
    n_out, n_in = _split(n)
    t_out = np.linspace(0.0, 2.0 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2.0 * np.pi, n_in, endpoint=False)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = factor * np.column_stack([np.cos(t_in), np.sin(t_in)])
    X = np.vstack([outer, inner])
    y = np.concatenate([np.zeros(n_out, dtype=int), np.ones(n_in, dtype=int)])
    X = X + rng.normal(scale=noise, size=X.shape)
    return _shuffle(X, y, rng)


def make_dataset(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Build one of the named data sets ('moons' or 'circles') from a seed."""
    rng = np.random.default_rng(seed)
    if name == "moons":
        return two_moons(n, noise, rng)
    if name == "circles":
        return concentric_circles(n, 0.5, noise, rng)
    raise ValueError(f"unknown data set {name!r}")
