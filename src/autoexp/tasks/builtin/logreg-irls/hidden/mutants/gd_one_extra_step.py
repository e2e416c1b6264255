# mutant-of: solvers.py::gradient_descent
# bug: off by one, takes n_steps + 1 updates
def gradient_descent(X, y, lam, step_size, n_steps):
    w = np.zeros(X.shape[1])
    losses = [penalised_nll(w, X, y, lam)]
    for _ in range(n_steps + 1):
        w = w - step_size * nll_gradient(w, X, y, lam)
        losses.append(penalised_nll(w, X, y, lam))
    return FitResult(w, n_steps, False, losses)
