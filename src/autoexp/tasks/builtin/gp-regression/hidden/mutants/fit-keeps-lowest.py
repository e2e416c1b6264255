# mutant-of: fit.py::fit_hyperparameters
# bug: confuses the minimised objective with the likelihood and keeps the local optimum with the lowest log marginal likelihood
def fit_hyperparameters(X, y, starts):
    results = []
    for theta0 in starts:
        res = minimize(
            lambda t: -log_marginal_likelihood(t, X, y),
            np.asarray(theta0, dtype=float),
            jac=lambda t: -lml_gradient(t, X, y),
            method="L-BFGS-B",
            bounds=[LOG_BOUNDS] * len(theta0),
            options={"ftol": 1e-12, "gtol": 1e-8, "maxiter": 500},
        )
        results.append(FitResult(np.asarray(res.x), log_marginal_likelihood(res.x, X, y), int(res.nit)))
    best = min(results, key=lambda r: r.lml)
    return best, results
