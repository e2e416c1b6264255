# mutant-of: solvers.py::newton_step
# bug: leaves the ridge term out of the Hessian
def newton_step(w, X, y, lam):
    prob = sigmoid(X @ w)
    hessian = (X.T * (prob * (1.0 - prob))) @ X / X.shape[0]
    return w - np.linalg.solve(hessian, nll_gradient(w, X, y, lam))
