# mutant-of: fit.py::fit_hyperparameters
# bug: negates the objective but passes the un-negated likelihood gradient as its Jacobian
def fit_hyperparameters(X, y, starts):
    results = []
    for theta0 in starts:
        res = minimize(
            lambda t: -log_marginal_likelihood(t, X, y),
            np.asarray(theta0, dtype=float),
            jac=lambda t: lml_gradient(t, X, y),
            method="L-BFGS-B",
            bounds=[LOG_BOUNDS] * len(theta0),
        )
        results.append(FitResult(np.asarray(res.x), log_marginal_likelihood(res.x, X, y), int(res.nit)))
    best = max(results, key=lambda r: r.lml)
    return best, results
