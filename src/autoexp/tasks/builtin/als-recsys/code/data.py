"""A synthetic ratings matrix with low-rank structure and a seeded observation pattern."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ratings:
    """Observed entries of a users x items matrix in coordinate form."""

    users: np.ndarray
    """User index of each observed entry (int array)."""
    items: np.ndarray
    """Item index of each observed entry (int array)."""
    values: np.ndarray
    """The rating of each observed entry (float array)."""
    n_users: int
    """Number of users (rows of the full matrix)."""
    n_items: int
    """Number of items (columns of the full matrix)."""

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def subset(self, idx: np.ndarray) -> Ratings:
        """The entries at positions `idx`, same matrix shape."""
        return Ratings(self.users[idx], self.items[idx], self.values[idx], self.n_users, self.n_items)


def make_ratings(
    n_users: int = 300,
    n_items: int = 200,
    rank: int = 4,
    density: float = 0.12,
    noise: float = 0.4,
    seed: int = 0,
) -> Ratings:
    """Ratings on a 1..5 star scale generated from a known low-rank model.

    The true score of user u for item i is 3.4 + a_u + c_i + p_u . q_i, with user offsets
    a ~ N(0, 0.4^2), item offsets c ~ N(0, 0.5^2) and factors p, q ~ N(0, 0.6^2) per
    coordinate. Observed ratings add N(0, noise^2), round to the nearest star and clip to
    [1, 5]. Users differ in activity and items in popularity: entry (u, i) is observed with
    probability density * s_u * t_i / (mean(s) * mean(t)), capped at 1, where s and t are
    log-normal weights.
    """
    rng = np.random.default_rng(seed)
    a = rng.normal(0.0, 0.4, size=n_users)
    c = rng.normal(0.0, 0.5, size=n_items)
    P = rng.normal(0.0, 0.6, size=(n_users, rank))
    Q = rng.normal(0.0, 0.6, size=(n_items, rank))
    score = 3.4 + a[:, None] + c[None, :] + P @ Q.T
    s = rng.lognormal(0.0, 0.5, size=n_users)
    t = rng.lognormal(0.0, 0.7, size=n_items)
    prob = np.minimum(1.0, density * np.outer(s, t) / (s.mean() * t.mean()))
    observed = rng.random((n_users, n_items)) < prob
    users, items = np.nonzero(observed)
    noisy = score[users, items] + rng.normal(0.0, noise, size=users.shape[0])
    values = np.clip(np.rint(noisy), 1.0, 5.0)
    return Ratings(users.astype(np.int64), items.astype(np.int64), values, n_users, n_items)


def split_observed(n_obs: int, test_frac: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random train/test split of the positions 0..n_obs-1 of the observed entries."""
    perm = rng.permutation(n_obs)
    n_test = int(round(test_frac * n_obs))
    test = np.sort(perm[:n_test])
    train = np.sort(perm[n_test:])
    return train, test


def group_by(index: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """For each group g, the positions p (increasing) with index[p] == g."""
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(n_groups + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(n_groups)]
