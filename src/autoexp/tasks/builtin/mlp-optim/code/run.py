"""Entry point: python run.py --exp {sgd,momentum,adam}

Trains the same network from the same initialisation and batch order with one optimiser
and prints the metrics as one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import config
from data import load_split
from mlp import init_params, n_parameters
from optim import make_optimizer
from train import evaluate, train


def sig6(x: float) -> float:
    """Round to 6 significant digits for stable printing."""
    return float(f"{x:.6g}")


def run_optimizer(
    name: str,
    split_seed: int = config.SPLIT_SEED,
    init_seed: int = config.INIT_SEED,
    shuffle_seed: int = config.SHUFFLE_SEED,
) -> dict[str, float]:
    X_tr, y_tr, X_te, y_te = load_split(config.N_TRAIN, config.N_TEST, split_seed)
    sizes = [X_tr.shape[1], *config.HIDDEN, config.N_CLASSES]
    params = init_params(sizes, np.random.default_rng(init_seed))
    opt = make_optimizer(name, params, **config.OPTIMIZERS[name])
    hist = train(
        params, opt, X_tr, y_tr, config.EPOCHS, config.BATCH_SIZE,
        np.random.default_rng(shuffle_seed),
    )
    test = evaluate(params, X_te, y_te)
    print(f"{name}: {n_parameters(params)} parameters, {hist.steps} steps")
    for epoch, loss in enumerate(hist.train_loss, start=1):
        print(f"  epoch {epoch:2d}  train loss {loss:.5f}")
    return {
        "train_loss_epoch1": sig6(hist.train_loss[0]),
        "train_loss": sig6(hist.train_loss[-1]),
        "test_loss": sig6(test["loss"]),
        "test_acc": sig6(test["accuracy"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exp", required=True, choices=sorted(config.OPTIMIZERS))
    parser.add_argument("--split-seed", type=int, default=config.SPLIT_SEED)
    parser.add_argument("--init-seed", type=int, default=config.INIT_SEED)
    parser.add_argument("--shuffle-seed", type=int, default=config.SHUFFLE_SEED)
    args = parser.parse_args()
    metrics = run_optimizer(args.exp, args.split_seed, args.init_seed, args.shuffle_seed)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
