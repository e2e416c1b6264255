# mutant-of: solvers.py::newton_step
# bug: uses the fixed curvature bound X^T X / (4n) instead of the weighted Hessian
def newton_step(w, X, y, lam):
    n, p = X.shape
    hessian = X.T @ X / (4.0 * n) + lam * np.diag(penalty_mask(p))
    return w - np.linalg.solve(hessian, nll_gradient(w, X, y, lam))
