"""The experiments of the paper, each returning a flat dict of metrics."""

from __future__ import annotations

from typing import Any

import numpy as np

from data import make_dataset
from kmeans import KMeans
from metrics import adjusted_rand_index, clustering_accuracy
from spectral import SpectralClustering

N_POINTS = 300
SEED = 0
SETTINGS: dict[str, dict[str, Any]] = {
    "moons": {"noise": 0.10, "sigma": 0.20, "n_neighbors": 10},
    "circles": {"noise": 0.07, "sigma": 0.10, "n_neighbors": 10},
}


def load(name: str, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The data set of the paper's experiment `name` (300 points, seed 0 by default)."""
    return make_dataset(name, N_POINTS, SETTINGS[name]["noise"], seed)


def baseline(seed: int = SEED) -> dict[str, float]:
    """k-means on the raw coordinates of both data sets."""
    out: dict[str, float] = {}
    for name in SETTINGS:
        X, y = load(name, seed)
        km = KMeans(n_clusters=2).fit(X)
        out[f"ari_{name}"] = adjusted_rand_index(y, km.labels_)
        out[f"acc_{name}"] = clustering_accuracy(y, km.labels_)
        out[f"inertia_{name}"] = km.inertia_
    return out


def spectral(name: str, seed: int = SEED) -> dict[str, float]:
    """Spectral clustering of one data set with a dense and with a k-NN affinity graph."""
    X, y = load(name, seed)
    cfg = SETTINGS[name]
    out: dict[str, float] = {}
    for graph, nn in (("dense", None), ("knn", cfg["n_neighbors"])):
        sc = SpectralClustering(n_clusters=2, sigma=cfg["sigma"], n_neighbors=nn).fit(X)
        out[f"ari_{graph}"] = adjusted_rand_index(y, sc.labels_)
        out[f"acc_{graph}"] = clustering_accuracy(y, sc.labels_)
        out[f"gap_{graph}"] = 1.0 - float(sc.eigenvalues_[1])
        out[f"inertia_{graph}"] = sc.inertia_
    return out


EXPERIMENTS = {
    "baseline": baseline,
    "moons": lambda seed=SEED: spectral("moons", seed),
    "circles": lambda seed=SEED: spectral("circles", seed),
}
