# mutant-of: gp.py::log_marginal_likelihood
# bug: adds the noise standard deviation, not the noise variance, to the diagonal
def log_marginal_likelihood(theta, X, y):
    hyp = Hyper.from_theta(theta)
    n = len(y)
    K = rbf_kernel(X, X, hyp.lengthscale, hyp.signal_std) + hyp.noise_std * np.eye(n)
    L = cholesky(K, lower=True)
    alpha = cho_solve((L, True), y)
    return -0.5 * float(y @ alpha) - float(np.sum(np.log(np.diag(L)))) - 0.5 * n * np.log(2.0 * np.pi)
