# mutant-of: affinity.py::rbf_affinity
# bug: counts each point as its own nearest neighbour, so only k-1 real neighbours are kept
def rbf_affinity(X, sigma, n_neighbors=None):
    D = pairwise_sq_dists(X)
    W = np.exp(-D / (2.0 * sigma**2))
    np.fill_diagonal(W, 0.0)
    if n_neighbors is None:
        return W
    n = X.shape[0]
    order = np.argsort(D, axis=1)
    keep = np.zeros((n, n), dtype=bool)
    for i in range(n):
        keep[i, order[i, :n_neighbors]] = True
    keep = keep | keep.T
    return np.where(keep, W, 0.0)
