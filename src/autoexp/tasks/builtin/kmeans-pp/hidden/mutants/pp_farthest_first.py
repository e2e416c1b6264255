# mutant-of: seeding.py::kmeanspp_init
# bug: picks the farthest point deterministically instead of sampling by D^2
def kmeanspp_init(X, k, rng):
    n = X.shape[0]
    first = rng.integers(n)
    centres = [X[first]]
    d2 = np.sum((X - X[first]) ** 2, axis=1)
    for _ in range(1, k):
        idx = int(np.argmax(d2))
        centres.append(X[idx])
        d2 = np.minimum(d2, np.sum((X - X[idx]) ** 2, axis=1))
    return np.array(centres)
