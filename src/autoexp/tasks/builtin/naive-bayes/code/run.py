"""Entry point: `python run.py --exp <id>` prints the experiment's metrics as one JSON line."""

from __future__ import annotations

import argparse
import json

from corpus import CorpusConfig, make_corpus
from metrics import accuracy, log_loss, macro_f1, round_sig
from naive_bayes import BernoulliNB, MultinomialNB, NaiveBayes
from text import build_vocabulary, count_matrix

N_CLASSES = 3


def _features(mean_length: float, seed: int = 0):
    corpus = make_corpus(CorpusConfig(mean_length=mean_length, seed=seed))
    vocab = build_vocabulary(corpus.train_docs)
    X_train = count_matrix(corpus.train_docs, vocab)
    X_test = count_matrix(corpus.test_docs, vocab)
    return X_train, corpus.train_labels, X_test, corpus.test_labels


def _evaluate(model: NaiveBayes, X_test, y_test, prefix: str) -> dict[str, float]:
    pred = model.predict(X_test)
    return {
        f"{prefix}_accuracy": accuracy(y_test, pred),
        f"{prefix}_macro_f1": macro_f1(y_test, pred, N_CLASSES),
        f"{prefix}_log_loss": log_loss(y_test, model.predict_log_proba(X_test)),
    }


def _compare(mean_length: float, seed: int = 0) -> dict[str, float]:
    X_train, y_train, X_test, y_test = _features(mean_length, seed)
    out: dict[str, float] = {
        "vocab_size": X_train.shape[1],
        "train_tokens": int(X_train.sum()),
    }
    for prefix, model in (("multinomial", MultinomialNB(1.0)), ("bernoulli", BernoulliNB(1.0))):
        model.fit(X_train, y_train, N_CLASSES)
        out.update(_evaluate(model, X_test, y_test, prefix))
    return out


def exp_compare(seed: int = 0) -> dict[str, float]:
    """Both event models with Laplace smoothing on long documents (mean length 150)."""
    return _compare(150.0, seed)


def exp_short(seed: int = 0) -> dict[str, float]:
    """Both event models with Laplace smoothing on short documents (mean length 30)."""
    return _compare(30.0, seed)


def exp_alpha(seed: int = 0) -> dict[str, float]:
    """The multinomial model on long documents for several smoothing strengths."""
    X_train, y_train, X_test, y_test = _features(150.0, seed)
    out: dict[str, float] = {}
    for alpha in (0.01, 0.1, 1.0, 3.0):
        model = MultinomialNB(alpha).fit(X_train, y_train, N_CLASSES)
        for key, value in _evaluate(model, X_test, y_test, f"alpha{alpha:g}").items():
            out[key] = value
    return out


EXPERIMENTS = {"compare": exp_compare, "short": exp_short, "alpha": exp_alpha}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exp", required=True, choices=sorted(EXPERIMENTS))
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus generator")
    args = parser.parse_args()
    metrics = EXPERIMENTS[args.exp](args.seed)
    print(json.dumps({k: round_sig(v) for k, v in metrics.items()}))


if __name__ == "__main__":
    main()
