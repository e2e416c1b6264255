# mutant-of: solvers.py::gradient_descent
# bug: records the loss before each update, so losses[t] is shifted and the final one is missing
def gradient_descent(X, y, lam, step_size, n_steps):
    w = np.zeros(X.shape[1])
    losses = []
    for _ in range(n_steps):
        losses.append(penalised_nll(w, X, y, lam))
        w = w - step_size * nll_gradient(w, X, y, lam)
    return FitResult(w, n_steps, False, losses)
