# mutant-of: seeding.py::kmeanspp_init
# bug: weights points by the squared distance to the most recent centre, not the nearest one
def kmeanspp_init(X, k, rng):
    n = X.shape[0]
    last = X[rng.integers(n)]
    centres = [last]
    for _ in range(1, k):
        d2 = np.sum((X - last) ** 2, axis=1)
        last = X[rng.choice(n, p=d2 / d2.sum())]
        centres.append(last)
    return np.array(centres)
