# mutant-of: solvers.py::newton_step
# bug: weights the Hessian by p instead of p(1 - p)
def newton_step(w, X, y, lam):
    n, p = X.shape
    prob = sigmoid(X @ w)
    hessian = (X.T * prob) @ X / n + lam * np.diag(penalty_mask(p))
    return w - np.linalg.solve(hessian, nll_gradient(w, X, y, lam))
