# mutant-of: gp.py::lml_gradient
# bug: drops the factor 1/2 in front of the trace
def lml_gradient(theta, X, y):
    hyp = Hyper.from_theta(theta)
    n = len(y)
    Kf = rbf_kernel(X, X, hyp.lengthscale, hyp.signal_std)
    L = cholesky(Kf + hyp.noise_std**2 * np.eye(n), lower=True)
    alpha = cho_solve((L, True), y)
    A = np.outer(alpha, alpha) - cho_solve((L, True), np.eye(n))
    dKs = (Kf * sq_dists(X, X) / hyp.lengthscale**2, 2.0 * Kf, 2.0 * hyp.noise_std**2 * np.eye(n))
    return np.array([np.sum(A * dK) for dK in dKs])
