"""Entry point: `python run.py --exp <id>` prints the experiment's metrics as one JSON line."""

from __future__ import annotations

import argparse
import json

import numpy as np

from boosting import GradientBoostingRegressor
from data import load_split
from evaluate import mae, mse, round_sig, staged_errors
from losses import HuberLoss, SquaredLoss

MAX_DEPTH = 3
MIN_SAMPLES_LEAF = 5


def _model(loss, n_estimators: int, learning_rate: float) -> GradientBoostingRegressor:
    return GradientBoostingRegressor(
        loss,
        n_estimators=n_estimators,
        learning_rate=learning_rate,
        max_depth=MAX_DEPTH,
        min_samples_leaf=MIN_SAMPLES_LEAF,
    )


def exp_curve(seed: int = 0) -> dict[str, float]:
    """Squared loss, learning rate 0.1, 100 trees: training-loss curve and test error."""
    Xtr, Xte, ytr, yte = load_split(seed=seed)
    model = _model(SquaredLoss(), 100, 0.1).fit(Xtr, ytr)
    test = staged_errors(model, Xte, yte)
    return {
        "init": model.init_,
        "train_mse_1": model.train_loss[0],
        "train_mse_10": model.train_loss[9],
        "train_mse_100": model.train_loss[99],
        "test_mse_100": test[99],
        "best_stage": int(np.argmin(test)) + 1,
        "best_test_mse": float(test.min()),
    }


def exp_shrinkage(seed: int = 0) -> dict[str, float]:
    """Squared loss, 50 trees, learning rate 0.1 against no shrinkage (1.0)."""
    Xtr, Xte, ytr, yte = load_split(seed=seed)
    out: dict[str, float] = {}
    for tag, lr in (("lr0.1", 0.1), ("lr1.0", 1.0)):
        model = _model(SquaredLoss(), 50, lr).fit(Xtr, ytr)
        test = staged_errors(model, Xte, yte)
        out[f"train_mse_{tag}"] = model.train_loss[-1]
        out[f"test_mse_10_{tag}"] = test[9]
        out[f"test_mse_50_{tag}"] = test[49]
        out[f"best_stage_{tag}"] = int(np.argmin(test)) + 1
    return out


def exp_huber(seed: int = 0) -> dict[str, float]:
    """Huber loss (alpha 0.9), learning rate 0.1, 100 trees."""
    Xtr, Xte, ytr, yte = load_split(seed=seed)
    loss = HuberLoss(alpha=0.9)
    model = _model(loss, 100, 0.1).fit(Xtr, ytr)
    test_mae = staged_errors(model, Xte, yte, error=mae)
    pred = model.predict(Xte)
    return {
        "init": model.init_,
        "final_delta": loss.delta,
        "train_huber_10": model.train_loss[9],
        "train_huber_100": model.train_loss[99],
        "test_mse_100": mse(yte, pred),
        "test_mae_100": test_mae[99],
        "test_mae_20": test_mae[19],
    }


EXPERIMENTS = {"curve": exp_curve, "shrinkage": exp_shrinkage, "huber": exp_huber}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exp", required=True, choices=sorted(EXPERIMENTS))
    parser.add_argument("--seed", type=int, default=0, help="seed of the train/test split")
    args = parser.parse_args()
    metrics = EXPERIMENTS[args.exp](seed=args.seed)
    print(json.dumps({k: round_sig(v) for k, v in metrics.items()}))


if __name__ == "__main__":
    main()
