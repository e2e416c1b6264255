# mutant-of: gp.py::posterior_predict
# bug: returns the variance of a noisy observation instead of the latent function variance
def posterior_predict(X, y, X_star, hyp):
    L = cholesky(train_cov(X, hyp), lower=True)
    alpha = cho_solve((L, True), y)
    K_s = rbf_kernel(X, X_star, hyp.lengthscale, hyp.signal_std)
    V = solve_triangular(L, K_s, lower=True)
    var = hyp.signal_std**2 + hyp.noise_std**2 - np.sum(V * V, axis=0)
    return K_s.T @ alpha, var
