# mutant-of: gp.py::log_marginal_likelihood
# bug: leaves out the -n/2 log(2 pi) normalising constant
def log_marginal_likelihood(theta, X, y):
    hyp = Hyper.from_theta(theta)
    L = cholesky(train_cov(X, hyp), lower=True)
    alpha = cho_solve((L, True), y)
    return -0.5 * float(y @ alpha) - float(np.sum(np.log(np.diag(L))))
