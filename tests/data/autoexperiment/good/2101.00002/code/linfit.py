"""Least-squares line fitting."""


def fit(xs, ys):
    n = len(xs)
    mx = sum(xs) / n
    my = sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sxy / sxx
    return slope, my - slope * mx


def predict(slope, bias, xs):
    return [slope * x + bias for x in xs]


def mse(ys, preds):
    return sum((y - p) ** 2 for y, p in zip(ys, preds)) / len(ys)
