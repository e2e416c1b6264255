# mutant-of: gp.py::log_marginal_likelihood
# bug: takes log|K| as the sum of the log Cholesky diagonal (forgetting the factor 2), so the complexity term is halved
def log_marginal_likelihood(theta, X, y):
    hyp = Hyper.from_theta(theta)
    n = len(y)
    L = cholesky(train_cov(X, hyp), lower=True)
    alpha = cho_solve((L, True), y)
    logdet = float(np.sum(np.log(np.diag(L))))
    return -0.5 * float(y @ alpha) - 0.5 * logdet - 0.5 * n * np.log(2.0 * np.pi)
