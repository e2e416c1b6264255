# mutant-of: gp.py::lml_gradient
# bug: differentiates with respect to lengthscale, signal_std and noise_std instead of their logarithms
def lml_gradient(theta, X, y):
    hyp = Hyper.from_theta(theta)
    n = len(y)
    Kf = rbf_kernel(X, X, hyp.lengthscale, hyp.signal_std)
    L = cholesky(Kf + hyp.noise_std**2 * np.eye(n), lower=True)
    alpha = cho_solve((L, True), y)
    A = np.outer(alpha, alpha) - cho_solve((L, True), np.eye(n))
    dKs = (
        Kf * sq_dists(X, X) / hyp.lengthscale**3,
        2.0 * Kf / hyp.signal_std,
        2.0 * hyp.noise_std * np.eye(n),
    )
    return np.array([0.5 * np.sum(A * dK) for dK in dKs])
