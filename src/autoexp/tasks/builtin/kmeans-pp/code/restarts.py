"""Several seeded runs of Lloyd's algorithm, keeping the best."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lloyd import LloydResult, lloyd
from seeding import Seeding


@dataclass
class RestartSummary:
    """The best run and what every run achieved, in the order they were made."""

    best: LloydResult
    inertias: list[float]
    iterations: list[int]


def run_restarts(
    X: np.ndarray,
    k: int,
    n_restarts: int,
    seeding: Seeding,
    rng: np.random.Generator,
    max_iter: int = 100,
) -> RestartSummary:
    """Seed and run Lloyd `n_restarts` times from one generator; keep the lowest inertia."""
    runs = []
    for _ in range(n_restarts):
        start = seeding(X, k, rng)
        runs.append(lloyd(X, start, max_iter))
    inertias = [r.inertia for r in runs]
    best = runs[int(np.argmin(inertias))]
    return RestartSummary(best, inertias, [r.iterations for r in runs])
