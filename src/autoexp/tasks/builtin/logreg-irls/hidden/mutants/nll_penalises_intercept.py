# mutant-of: model.py::penalised_nll
# bug: the ridge penalty also includes the intercept w[0]
def penalised_nll(w, X, y, lam):
    z = X @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * np.dot(w, w))
