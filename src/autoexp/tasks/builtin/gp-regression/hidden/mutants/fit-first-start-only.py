# mutant-of: fit.py::fit_hyperparameters
# bug: runs a single optimisation from the first starting point and ignores the others
def fit_hyperparameters(X, y, starts):
    res = minimize(
        lambda t: -log_marginal_likelihood(t, X, y),
        np.asarray(starts[0], dtype=float),
        jac=lambda t: -lml_gradient(t, X, y),
        method="L-BFGS-B",
        bounds=[LOG_BOUNDS] * len(starts[0]),
        options={"ftol": 1e-12, "gtol": 1e-8, "maxiter": 500},
    )
    r = FitResult(np.asarray(res.x), log_marginal_likelihood(res.x, X, y), int(res.nit))
    return r, [r]
