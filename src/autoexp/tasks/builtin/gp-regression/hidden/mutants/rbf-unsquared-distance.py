# mutant-of: kernels.py::rbf_kernel
# bug: puts the Euclidean distance rather than its square in the exponent
def rbf_kernel(X1, X2, lengthscale, signal_std):
    d = np.sqrt(np.maximum(sq_dists(X1, X2), 0.0))
    return signal_std**2 * np.exp(-0.5 * d / lengthscale**2)
