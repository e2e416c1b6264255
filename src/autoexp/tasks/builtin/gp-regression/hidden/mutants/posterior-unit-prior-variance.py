# mutant-of: gp.py::posterior_predict
# bug: starts the predictive variance from a prior variance of 1 instead of signal_std^2
def posterior_predict(X, y, X_star, hyp):
    L = cholesky(train_cov(X, hyp), lower=True)
    alpha = cho_solve((L, True), y)
    K_s = rbf_kernel(X, X_star, hyp.lengthscale, hyp.signal_std)
    V = solve_triangular(L, K_s, lower=True)
    return K_s.T @ alpha, 1.0 - np.sum(V * V, axis=0)
