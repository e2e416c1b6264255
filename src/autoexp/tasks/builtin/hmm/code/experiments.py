"""The experiments of the paper, each returning a flat dict of metrics."""

from __future__ import annotations

import numpy as np

from evaluation import accuracy, permuted_accuracy
from inference import backward_scaled, forward_scaled, log_likelihood, posteriors
from learning import fit, total_log_likelihood
from model import HMM, random_model, sample_many, true_model
from viterbi import viterbi

TEST = {"n_sequences": 3, "length": 1000, "seed": 1}
TRAIN = {"n_sequences": 20, "length": 150, "seed": 0}
INIT_SEED = 2
N_EM_ITER = 30


def _posterior_stats(model: HMM, data: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """Log-likelihood, posterior-decoding accuracy and expected counts over the data."""
    ll = 0.0
    hits = 0
    occupancy = np.zeros(model.n_states)
    switches = 0.0
    steps = 0
    for states, obs in data:
        alpha, c = forward_scaled(model.pi, model.A, model.B, obs)
        beta = backward_scaled(model.A, model.B, obs, c)
        gamma, xi_sum = posteriors(alpha, beta, c, model.A, model.B, obs)
        ll += log_likelihood(c)
        hits += int(np.sum(np.argmax(gamma, axis=1) == states))
        steps += obs.shape[0]
        occupancy += gamma.sum(axis=0)
        switches += float(xi_sum.sum() - np.trace(xi_sum))
    out = {"log_likelihood": ll, "posterior_accuracy": hits / steps}
    for i in range(model.n_states):
        out[f"occupancy_{i}"] = float(occupancy[i])
    out["expected_switches"] = switches
    return out


def decode(test_seed: int = TEST["seed"]) -> dict[str, float]:
    """Viterbi decoding of the test sequences under the true model."""
    model = true_model()
    data = sample_many(model, **{**TEST, "seed": test_seed})
    hits, steps, logprob = 0, 0, 0.0
    for states, obs in data:
        path, lp = viterbi(model.pi, model.A, model.B, obs)
        hits += int(np.sum(path == states))
        steps += obs.shape[0]
        logprob += lp
    return {"viterbi_accuracy": hits / steps, "viterbi_log_prob": logprob}


def likelihood(test_seed: int = TEST["seed"]) -> dict[str, float]:
    """Forward-backward quantities of the test sequences under the true model."""
    model = true_model()
    return _posterior_stats(model, sample_many(model, **{**TEST, "seed": test_seed}))


def baum_welch(
    test_seed: int = TEST["seed"], train_seed: int = TRAIN["seed"], init_seed: int = INIT_SEED
) -> dict[str, float]:
    """Baum-Welch from a random start on the training sequences."""
    truth = true_model()
    train = [obs for _, obs in sample_many(truth, **{**TRAIN, "seed": train_seed})]
    test = sample_many(truth, **{**TEST, "seed": test_seed})
    start = random_model(truth.n_states, truth.n_symbols, np.random.default_rng(init_seed))
    learned, history = fit(start, train, N_EM_ITER)
    hits = 0.0
    for states, obs in test:
        alpha, c = forward_scaled(learned.pi, learned.A, learned.B, obs)
        beta = backward_scaled(learned.A, learned.B, obs, c)
        gamma, _ = posteriors(alpha, beta, c, learned.A, learned.B, obs)
        hits += permuted_accuracy(states, np.argmax(gamma, axis=1), truth.n_states) * obs.shape[0]
    return {
        "ll_start": history[0],
        "ll_iter1": history[1],
        "ll_final": total_log_likelihood(learned, train),
        "ll_true": total_log_likelihood(truth, train),
        "test_ll": total_log_likelihood(learned, [obs for _, obs in test]),
        "test_posterior_accuracy": hits / sum(obs.shape[0] for _, obs in test),
    }


EXPERIMENTS = {"decode": decode, "likelihood": likelihood, "baum-welch": baum_welch}
