# mutant-of: gp.py::posterior_predict
# bug: solves against the noise-free kernel matrix (plus jitter) for the mean, i.e. interpolates the noisy targets
def posterior_predict(X, y, X_star, hyp):
    K = rbf_kernel(X, X, hyp.lengthscale, hyp.signal_std)
    L0 = cholesky(K + 1e-8 * np.eye(len(X)), lower=True)
    K_s = rbf_kernel(X, X_star, hyp.lengthscale, hyp.signal_std)
    mean = K_s.T @ cho_solve((L0, True), y)
    L = cholesky(train_cov(X, hyp), lower=True)
    V = solve_triangular(L, K_s, lower=True)
    return mean, hyp.signal_std**2 - np.sum(V * V, axis=0)
