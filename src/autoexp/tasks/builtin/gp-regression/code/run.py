"""Entry point: python run.py --exp {fixed,fitted}

`fixed` scores a GP with an untuned hyper-parameter guess; `fitted` first maximises the log
marginal likelihood from several starting points. Metrics go out as one JSON object on the
last line of stdout.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import config
from data import make_data
from fit import fit_hyperparameters
from gp import Hyper, lml_gradient, log_marginal_likelihood, posterior_predict
from metrics import mean_nlpd, rmse


def sig6(x: float) -> float:
    """Round to 6 significant digits for stable printing."""
    return float(f"{x:.6g}")


def test_scores(X, y, X_te, y_te, hyp: Hyper) -> dict[str, float]:
    mean, var = posterior_predict(X, y, X_te, hyp)
    return {"rmse": rmse(y_te, mean), "nlpd": mean_nlpd(y_te, mean, var, hyp.noise_std)}


def exp_fixed(seed: int = config.DATA_SEED, n_train: int = config.N_TRAIN) -> dict[str, float]:
    X, y, X_te, y_te = make_data(n_train, config.N_TEST, config.NOISE_STD, seed)
    hyp = Hyper(**config.DEFAULT_HYPER)
    lml = log_marginal_likelihood(hyp.theta(), X, y)
    grad = lml_gradient(hyp.theta(), X, y)
    scores = test_scores(X, y, X_te, y_te, hyp)
    print(f"fixed hyper-parameters {hyp}: lml {lml:.4f}, gradient {grad}")
    return {
        "lml": sig6(lml),
        "dlml_dlog_lengthscale": sig6(grad[0]),
        "dlml_dlog_signal_std": sig6(grad[1]),
        "dlml_dlog_noise_std": sig6(grad[2]),
        "test_rmse": sig6(scores["rmse"]),
        "test_nlpd": sig6(scores["nlpd"]),
    }


def exp_fitted(seed: int = config.DATA_SEED, n_train: int = config.N_TRAIN) -> dict[str, float]:
    X, y, X_te, y_te = make_data(n_train, config.N_TEST, config.NOISE_STD, seed)
    best, all_results = fit_hyperparameters(X, y, [np.array(s) for s in config.STARTS])
    for start, r in zip(config.STARTS, all_results, strict=True):
        h = Hyper.from_theta(r.theta)
        print(f"start {start}: lml {r.lml:.4f} after {r.n_iter} iterations -> {h}")
    hyp = Hyper.from_theta(best.theta)
    scores = test_scores(X, y, X_te, y_te, hyp)
    return {
        "lengthscale": sig6(hyp.lengthscale),
        "signal_std": sig6(hyp.signal_std),
        "noise_std": sig6(hyp.noise_std),
        "lml": sig6(best.lml),
        "worst_local_lml": sig6(min(r.lml for r in all_results)),
        "test_rmse": sig6(scores["rmse"]),
        "test_nlpd": sig6(scores["nlpd"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exp", required=True, choices=["fixed", "fitted"])
    parser.add_argument("--seed", type=int, default=config.DATA_SEED, help="data seed")
    parser.add_argument("--n-train", type=int, default=config.N_TRAIN, help="training points")
    args = parser.parse_args()
    exp = exp_fixed if args.exp == "fixed" else exp_fitted
    metrics = exp(seed=args.seed, n_train=args.n_train)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
