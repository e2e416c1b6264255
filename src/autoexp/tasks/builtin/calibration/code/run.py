"""Entry point: python run.py --exp {before,after,bins}

Trains a softmax-regression classifier on a small digits training set, then measures its
calibration on the test split before and after temperature scaling fitted on the validation
split. The metrics are printed as one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import config
from calibration import fit_temperature, nll_at_temperature, softmax_with_temperature
from data import load_splits
from metrics import accuracy, brier_score, expected_calibration_error
from model import logits, train_softmax_regression


def sig6(x: float) -> float:
    """Round to 6 significant digits for stable printing."""
    return float(f"{x:.6g}")


def trained_logits(
    seed: int = config.SPLIT_SEED,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validation and test logits and labels of the classifier of the paper (split `seed`)."""
    s = load_splits(config.N_TRAIN, config.N_VAL, config.N_TEST, seed)
    W, b = train_softmax_regression(
        s.X_train, s.y_train, s.n_classes, config.LEARNING_RATE, config.STEPS
    )
    return logits(s.X_val, W, b), s.y_val, logits(s.X_test, W, b), s.y_test


def scores(Z: np.ndarray, y: np.ndarray, T: float) -> dict[str, float]:
    probs = softmax_with_temperature(Z, T)
    return {
        "nll": nll_at_temperature(Z, y, T),
        "ece": expected_calibration_error(probs, y, config.N_BINS),
        "brier": brier_score(probs, y),
        "accuracy": accuracy(probs, y),
    }


def exp_before(seed: int = config.SPLIT_SEED) -> dict[str, float]:
    _, _, Z_te, y_te = trained_logits(seed)
    s = scores(Z_te, y_te, 1.0)
    print(f"uncalibrated test scores: {s}")
    return {
        "test_acc": sig6(s["accuracy"]),
        "test_nll": sig6(s["nll"]),
        "test_ece": sig6(s["ece"]),
        "test_brier": sig6(s["brier"]),
    }


def exp_after(seed: int = config.SPLIT_SEED) -> dict[str, float]:
    Z_va, y_va, Z_te, y_te = trained_logits(seed)
    T = fit_temperature(Z_va, y_va)
    s = scores(Z_te, y_te, T)
    print(f"temperature {T:.5f}; validation nll {nll_at_temperature(Z_va, y_va, 1.0):.5f} -> "
          f"{nll_at_temperature(Z_va, y_va, T):.5f}; scaled test scores: {s}")
    return {
        "temperature": sig6(T),
        "val_nll": sig6(nll_at_temperature(Z_va, y_va, T)),
        "test_nll": sig6(s["nll"]),
        "test_ece": sig6(s["ece"]),
        "test_brier": sig6(s["brier"]),
    }


def exp_bins(seed: int = config.SPLIT_SEED) -> dict[str, float]:
    Z_va, y_va, Z_te, y_te = trained_logits(seed)
    T = fit_temperature(Z_va, y_va)
    out: dict[str, float] = {}
    for label, temp in (("before", 1.0), ("after", T)):
        probs = softmax_with_temperature(Z_te, temp)
        for n_bins in config.BIN_COUNTS:
            ece = expected_calibration_error(probs, y_te, n_bins)
            print(f"{label:6s} scaling, {n_bins:2d} bins: ECE {ece:.5f}")
            out[f"ece{n_bins}_{label}"] = sig6(ece)
    return out


EXPERIMENTS = {"before": exp_before, "after": exp_after, "bins": exp_bins}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exp", required=True, choices=sorted(EXPERIMENTS))
    parser.add_argument("--seed", type=int, default=config.SPLIT_SEED,
                        help="seed of the train/validation/test split")
    args = parser.parse_args()
    print(json.dumps(EXPERIMENTS[args.exp](args.seed)))


if __name__ == "__main__":
    main()
