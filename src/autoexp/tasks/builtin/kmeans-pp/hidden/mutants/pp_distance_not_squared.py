# mutant-of: seeding.py::kmeanspp_init
# bug: samples proportionally to the distance D(x) instead of its square
def kmeanspp_init(X, k, rng):
    n = X.shape[0]
    first = rng.integers(n)
    centres = [X[first]]
    d = np.sqrt(np.sum((X - X[first]) ** 2, axis=1))
    for _ in range(1, k):
        idx = rng.choice(n, p=d / d.sum())
        centres.append(X[idx])
        d = np.minimum(d, np.sqrt(np.sum((X - X[idx]) ** 2, axis=1)))
    return np.array(centres)
