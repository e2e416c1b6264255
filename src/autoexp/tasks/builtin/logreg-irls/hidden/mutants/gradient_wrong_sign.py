# mutant-of: model.py::nll_gradient
# bug: residual taken as y - p, flipping the sign of the data term
def nll_gradient(w, X, y, lam):
    residual = y - sigmoid(X @ w)
    return X.T @ residual / X.shape[0] + lam * penalty_mask(X.shape[1]) * w
