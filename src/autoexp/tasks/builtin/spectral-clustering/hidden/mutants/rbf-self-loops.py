# mutant-of: affinity.py::rbf_affinity
# bug: keeps the self-similarity W[i, i] = 1 on the diagonal
def rbf_affinity(X, sigma, n_neighbors=None):
    D = pairwise_sq_dists(X)
    W = np.exp(-D / (2.0 * sigma**2))
    if n_neighbors is None:
        return W
    n = X.shape[0]
    if not 0 < n_neighbors < n:
        raise ValueError("n_neighbors must be between 1 and n - 1")
    order = np.argsort(D, axis=1, kind="stable")
    keep = np.zeros((n, n), dtype=bool)
    rows = np.repeat(np.arange(n), n_neighbors + 1)
    keep[rows, order[:, : n_neighbors + 1].ravel()] = True
    keep = keep | keep.T
    return np.where(keep, W, 0.0)
