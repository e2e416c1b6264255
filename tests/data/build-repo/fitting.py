"""Least squares on seeded synthetic data."""

import random


def make_data(n: int, seed: int) -> tuple[list[float], list[float]]:
    """n points on the line y = 2x + 1 with Gaussian noise (sd 0.5), x uniform in [0, 10)."""
    rng = random.Random(seed)
    xs = [10 * rng.random() for _ in range(n)]
    ys = [2 * x + 1 + rng.gauss(0, 0.5) for x in xs]
    return xs, ys


def fit_line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Ordinary least-squares slope and intercept of ys on xs."""
    mx = sum(xs) / len(xs)
    my = sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sxy / sxx
    return slope, my - slope * mx


def residual_rms(xs, ys, slope, intercept):
    res = [y - (slope * x + intercept) for x, y in zip(xs, ys, strict=True)]
    total = sum(r * r for r in res)
    return (total / len(res)) ** 0.5


def count(xs):
    return len(xs)


def fit_line_robust(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Theil-Sen slope (median of pairwise slopes) and median intercept: never called."""
    slopes = sorted(
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i in range(len(xs))
        for j in range(i + 1, len(xs))
        if xs[j] != xs[i]
    )
    slope = slopes[len(slopes) // 2]
    intercepts = sorted(y - slope * x for x, y in zip(xs, ys, strict=True))
    return slope, intercepts[len(intercepts) // 2]
