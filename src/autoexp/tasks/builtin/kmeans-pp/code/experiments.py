"""The paper's experiments, each returning a flat dict of metrics."""

from __future__ import annotations

import numpy as np

from data import Blobs, make_blobs
from lloyd import assign_labels, inertia
from metrics import adjusted_rand_index
from restarts import run_restarts
from seeding import SEEDINGS

N_RESTARTS = 10
"""Restarts per seeding strategy in the clustering experiments."""
N_SEEDINGS = 200
"""Independent seedings drawn per strategy in the seeding-cost experiment."""
MAX_ITER = 100
"""Cap on Lloyd iterations per run."""
NEAR_BEST = 0.01
"""A restart counts as 'near best' when its inertia is within this fraction of the best."""


def _data(data_seed: int = 0) -> Blobs:
    return make_blobs(rows=3, cols=4, spacing=5.0, jitter=1.0, seed=data_seed)


def exp_cluster(seeding_name: str, data_seed: int = 0, seed: int = 0) -> dict[str, float]:
    """Ten restarts of Lloyd's algorithm with one seeding strategy (generator seed 0)."""
    blobs = _data(data_seed)
    seeding = SEEDINGS[seeding_name]
    summary = run_restarts(
        blobs.X, blobs.k, N_RESTARTS, seeding, np.random.default_rng(seed), MAX_ITER
    )
    inertias = np.array(summary.inertias)
    best = float(inertias.min())
    return {
        "best_inertia": best,
        "mean_inertia": float(inertias.mean()),
        "near_best": float(np.mean(inertias <= (1.0 + NEAR_BEST) * best)),
        "mean_iterations": float(np.mean(summary.iterations)),
        "ari": adjusted_rand_index(blobs.labels, summary.best.labels),
    }


def seeding_cost(X: np.ndarray, C: np.ndarray) -> float:
    """Inertia of the partition induced by the seeds themselves, before any Lloyd step."""
    return inertia(X, C, assign_labels(X, C))


def exp_seeding_cost(data_seed: int = 0, seed: int = 100) -> dict[str, float]:
    """Quality of the seeds alone: mean cost over many independent seedings."""
    blobs = _data(data_seed)
    costs = {}
    for offset, name in enumerate(("kmeans++", "uniform")):
        rng = np.random.default_rng(seed + offset)
        draws = [
            seeding_cost(blobs.X, SEEDINGS[name](blobs.X, blobs.k, rng)) for _ in range(N_SEEDINGS)
        ]
        costs[name] = np.array(draws)
    optimum = reference_inertia(blobs)
    return {
        "pp_mean_cost": float(costs["kmeans++"].mean()),
        "uniform_mean_cost": float(costs["uniform"].mean()),
        "pp_worst_ratio": float(costs["kmeans++"].max() / optimum),
        "uniform_worst_ratio": float(costs["uniform"].max() / optimum),
    }


def reference_inertia(blobs: Blobs) -> float:
    """Cost of the partition by the true labels with their sample means as centres."""
    k = blobs.k
    means = np.array([blobs.X[blobs.labels == j].mean(axis=0) for j in range(k)])
    return inertia(blobs.X, means, blobs.labels)


EXPERIMENTS = {
    "pp": lambda **kw: exp_cluster("kmeans++", **kw),
    "uniform": lambda **kw: exp_cluster("uniform", **kw),
    "seeding-cost": exp_seeding_cost,
}
