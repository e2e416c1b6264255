# mutant-of: gp.py::lml_gradient
# bug: keeps only the data-fit part 1/2 alpha^T dK alpha and forgets the -1/2 tr(K^-1 dK) complexity part
def lml_gradient(theta, X, y):
    hyp = Hyper.from_theta(theta)
    n = len(y)
    Kf = rbf_kernel(X, X, hyp.lengthscale, hyp.signal_std)
    L = cholesky(Kf + hyp.noise_std**2 * np.eye(n), lower=True)
    alpha = cho_solve((L, True), y)
    dKs = (Kf * sq_dists(X, X) / hyp.lengthscale**2, 2.0 * Kf, 2.0 * hyp.noise_std**2 * np.eye(n))
    return np.array([0.5 * float(alpha @ dK @ alpha) for dK in dKs])
