"""Synthetic Gaussian blobs with known cluster memberships.

Every random number comes from the generator built from the seed, so the data set is fully
determined by its arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Blobs:
    """Points, their true cluster labels and the true cluster means."""

    X: np.ndarray
    labels: np.ndarray
    means: np.ndarray

    @property
    def k(self) -> int:
        return self.means.shape[0]


def grid_means(
    rows: int, cols: int, spacing: float, jitter: float, rng: np.random.Generator
) -> np.ndarray:
    """Cluster means on a rows x cols grid, each moved by uniform noise in [-jitter, jitter]^2."""
    gy, gx = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    base = spacing * np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float64)
    return base + rng.uniform(-jitter, jitter, size=base.shape)


def make_blobs(
    rows: int = 3,
    cols: int = 4,
    spacing: float = 5.0,
    jitter: float = 1.0,
    sizes: tuple[int, int] = (30, 90),
    spreads: tuple[float, float] = (0.5, 1.1),
    seed: int = 0,
) -> Blobs:
    """Isotropic Gaussian clusters of unequal sizes and spreads on a jittered grid.

    Cluster j gets a size drawn uniformly from the integers in [sizes[0], sizes[1]] and a
    standard deviation drawn uniformly from [spreads[0], spreads[1]]. Points are shuffled.
    """
    rng = np.random.default_rng(seed)
    means = grid_means(rows, cols, spacing, jitter, rng)
    k = means.shape[0]
    counts = rng.integers(sizes[0], sizes[1] + 1, size=k)
    sigmas = rng.uniform(spreads[0], spreads[1], size=k)
    parts = [means[j] + sigmas[j] * rng.standard_normal((counts[j], 2)) for j in range(k)]
    X = np.vstack(parts)
    labels = np.repeat(np.arange(k), counts)
    perm = rng.permutation(X.shape[0])
    return Blobs(X[perm], labels[perm], means)
