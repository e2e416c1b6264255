# mutant-of: solvers.py::gradient_descent
# bug: shrinks the step as step_size / sqrt(t + 1) instead of keeping it fixed
def gradient_descent(X, y, lam, step_size, n_steps):
    w = np.zeros(X.shape[1])
    losses = [penalised_nll(w, X, y, lam)]
    for t in range(n_steps):
        w = w - step_size / np.sqrt(t + 1.0) * nll_gradient(w, X, y, lam)
        losses.append(penalised_nll(w, X, y, lam))
    return FitResult(w, n_steps, False, losses)
