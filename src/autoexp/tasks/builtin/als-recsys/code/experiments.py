"""The experiments of the paper, each returning a flat dict of metrics."""

from __future__ import annotations

import numpy as np

from als import ALS
from baseline import BiasBaseline
from data import Ratings, make_ratings, split_observed
from metrics import mae, rmse

DATA_SEED = 0
SPLIT_SEED = 1
TEST_FRAC = 0.2
BIAS_REG = 5.0
N_SWEEPS = 10
INIT_SEED = 0


class GlobalMean:
    """Predicts the training mean for every entry."""

    def __init__(self, train: Ratings) -> None:
        self.mu = float(train.values.mean())

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return np.full(users.shape[0], self.mu)


def load_split(data_seed: int = DATA_SEED, split_seed: int = SPLIT_SEED) -> tuple[Ratings, Ratings]:
    """The paper's data set and its 80/20 split of the observed entries."""
    ratings = make_ratings(seed=data_seed)
    train_idx, test_idx = split_observed(len(ratings), TEST_FRAC, np.random.default_rng(split_seed))
    return ratings.subset(train_idx), ratings.subset(test_idx)


def baseline(data_seed: int = DATA_SEED, split_seed: int = SPLIT_SEED) -> dict[str, float]:
    """Global mean and bias baseline: errors on the held-out entries."""
    train, test = load_split(data_seed, split_seed)
    bias = BiasBaseline(reg=BIAS_REG).fit(train)
    return {
        "n_train": len(train),
        "rmse_mean": rmse(GlobalMean(train), test),
        "rmse_bias": rmse(bias, test),
        "mae_bias": mae(bias, test),
        "train_rmse_bias": rmse(bias, train),
    }


def _als(
    train: Ratings, test: Ratings, rank: int, reg: float, tag: str, init_seed: int = INIT_SEED
) -> dict[str, float]:
    bias = BiasBaseline(reg=BIAS_REG).fit(train)
    model = ALS(rank=rank, reg=reg, baseline=bias, n_iter=N_SWEEPS, seed=init_seed).fit(train)
    return {
        f"rmse_{tag}": rmse(model, test),
        f"train_rmse_{tag}": rmse(model, train),
        f"objective_{tag}": model.history[-1],
    }


def ranks(
    data_seed: int = DATA_SEED, split_seed: int = SPLIT_SEED, init_seed: int = INIT_SEED
) -> dict[str, float]:
    """ALS-WR with lambda = 0.1 and ranks 2, 4 and 8."""
    train, test = load_split(data_seed, split_seed)
    out: dict[str, float] = {}
    for rank in (2, 4, 8):
        out.update(_als(train, test, rank, 0.1, f"r{rank}", init_seed))
    return out


def regularisation(
    data_seed: int = DATA_SEED, split_seed: int = SPLIT_SEED, init_seed: int = INIT_SEED
) -> dict[str, float]:
    """ALS-WR with rank 8 and lambda = 0.03 and 0.3."""
    train, test = load_split(data_seed, split_seed)
    out: dict[str, float] = {}
    for reg, tag in ((0.03, "lam003"), (0.3, "lam03")):
        out.update(_als(train, test, 8, reg, tag, init_seed))
    return out


EXPERIMENTS = {"baseline": baseline, "ranks": ranks, "regularisation": regularisation}
