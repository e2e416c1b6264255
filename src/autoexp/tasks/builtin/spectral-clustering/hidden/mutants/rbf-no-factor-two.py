# mutant-of: affinity.py::rbf_affinity
# bug: Gaussian kernel exp(-d^2 / sigma^2) instead of exp(-d^2 / (2 sigma^2))
def rbf_affinity(X, sigma, n_neighbors=None):
    D = pairwise_sq_dists(X)
    W = np.exp(-D / sigma**2)
    np.fill_diagonal(W, 0.0)
    if n_neighbors is None:
        return W
    n = X.shape[0]
    if not 0 < n_neighbors < n:
        raise ValueError("n_neighbors must be between 1 and n - 1")
    order = np.argsort(D + np.diag(np.full(n, np.inf)), axis=1, kind="stable")
    keep = np.zeros((n, n), dtype=bool)
    rows = np.repeat(np.arange(n), n_neighbors)
    keep[rows, order[:, :n_neighbors].ravel()] = True
    keep = keep | keep.T
    return np.where(keep, W, 0.0)
