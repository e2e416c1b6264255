# mutant-of: model.py::penalised_nll
# bug: penalty written as lam * ||w||^2, dropping the factor 1/2
def penalised_nll(w, X, y, lam):
    z = X @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + lam * np.sum(w[1:] ** 2))
