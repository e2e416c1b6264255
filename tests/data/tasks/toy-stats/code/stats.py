"""Small statistics helpers for the toy study."""

import numpy as np


def mean(xs):
    total = 0.0
    for x in xs:
        total += x
    return total / len(xs)


def variance(xs, ddof=1):
    m = mean(xs)
    sq = [(x - m) ** 2 for x in xs]
    return sum(sq) / (len(xs) - ddof)


class Scaler:
    """Standardises data with the mean and unbiased standard deviation."""

    def __init__(self):
        self.mu = None
        self.sigma = None

    def fit(self, xs):
        self.mu = mean(xs)
        self.sigma = float(np.sqrt(variance(xs)))
        return self

    def transform(self, xs):
        return [(x - self.mu) / self.sigma for x in xs]
