# mutant-of: model.py::nll_gradient
# bug: applies the ridge term to the intercept as well
def nll_gradient(w, X, y, lam):
    residual = sigmoid(X @ w) - y
    return X.T @ residual / X.shape[0] + lam * w
