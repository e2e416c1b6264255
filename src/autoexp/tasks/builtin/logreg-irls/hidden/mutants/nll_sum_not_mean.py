# mutant-of: model.py::penalised_nll
# bug: sums the per-sample losses instead of averaging them
def penalised_nll(w, X, y, lam):
    z = X @ w
    data_term = np.sum(np.logaddexp(0.0, z) - y * z)
    return float(data_term + 0.5 * lam * np.sum(w[1:] ** 2))
