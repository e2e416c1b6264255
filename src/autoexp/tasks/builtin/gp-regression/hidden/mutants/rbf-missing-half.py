# mutant-of: kernels.py::rbf_kernel
# bug: drops the factor 1/2 in the exponent, so the lengthscale is effectively divided by sqrt(2)
def rbf_kernel(X1, X2, lengthscale, signal_std):
    return signal_std**2 * np.exp(-sq_dists(X1, X2) / lengthscale**2)
