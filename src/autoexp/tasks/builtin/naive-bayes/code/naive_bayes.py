"""Multinomial and Bernoulli naive Bayes with additive (Laplace / Lidstone) smoothing."""

from __future__ import annotations

import numpy as np


class NaiveBayes:
    """Shared prediction logic; subclasses define fit and the joint log-likelihood."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha
        self.class_log_prior: np.ndarray | None = None
        self.feature_log_prob: np.ndarray | None = None

    def joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def predict_log_proba(self, X: np.ndarray) -> np.ndarray:
        jll = self.joint_log_likelihood(X)
        top = jll.max(axis=1, keepdims=True)
        log_norm = top + np.log(np.exp(jll - top).sum(axis=1, keepdims=True))
        return jll - log_norm

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class with the largest joint log-likelihood (the smaller index on exact ties)."""
        return np.argmax(self.joint_log_likelihood(X), axis=1).astype(np.int64)


class MultinomialNB(NaiveBayes):
    """Word counts drawn from a per-class categorical distribution over the vocabulary."""

    def fit(self, X: np.ndarray, y: np.ndarray, n_classes: int) -> MultinomialNB:
        class_count = np.bincount(y, minlength=n_classes).astype(np.float64)
        self.class_log_prior = np.log(class_count / class_count.sum())
        word_count = np.zeros((n_classes, X.shape[1]))
        for c in range(n_classes):
            word_count[c] = X[y == c].sum(axis=0)
        smoothed = word_count + self.alpha
        self.feature_log_prob = np.log(smoothed / smoothed.sum(axis=1, keepdims=True))
        return self

    def joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        return X @ self.feature_log_prob.T + self.class_log_prior


class BernoulliNB(NaiveBayes):
    """Presence / absence of every vocabulary word as independent Bernoulli variables."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__(alpha)
        self.feature_log_neg_prob: np.ndarray | None = None

    def fit(self, X: np.ndarray, y: np.ndarray, n_classes: int) -> BernoulliNB:
        B = (X > 0).astype(np.float64)
        class_count = np.bincount(y, minlength=n_classes).astype(np.float64)
        self.class_log_prior = np.log(class_count / class_count.sum())
        doc_count = np.zeros((n_classes, X.shape[1]))
        for c in range(n_classes):
            doc_count[c] = B[y == c].sum(axis=0)
        p = (doc_count + self.alpha) / (class_count[:, None] + 2 * self.alpha)
        self.feature_log_prob = np.log(p)
        self.feature_log_neg_prob = np.log1p(-p)
        return self

    def joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        B = (X > 0).astype(np.float64)
        present = B @ self.feature_log_prob.T
        absent = (1.0 - B) @ self.feature_log_neg_prob.T
        return present + absent + self.class_log_prior
