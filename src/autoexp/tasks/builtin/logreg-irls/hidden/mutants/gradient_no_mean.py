# mutant-of: model.py::nll_gradient
# bug: forgets to divide the data term by n
def nll_gradient(w, X, y, lam):
    residual = sigmoid(X @ w) - y
    return X.T @ residual + lam * penalty_mask(X.shape[1]) * w
