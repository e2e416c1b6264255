"""Comparing decoded state sequences with the true ones."""

from __future__ import annotations

from itertools import permutations

import numpy as np


def accuracy(true_states: np.ndarray, decoded: np.ndarray) -> float:
    """Fraction of time steps where the decoded state equals the true state."""
    return float(np.mean(true_states == decoded))


def permuted_accuracy(true_states: np.ndarray, decoded: np.ndarray, n_states: int) -> float:
    """Best accuracy over all relabelings of the decoded states (for learned models)."""
    best = 0.0
    for perm in permutations(range(n_states)):
        best = max(best, accuracy(true_states, np.asarray(perm)[decoded]))
    return best
