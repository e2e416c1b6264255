# mutant-of: kernels.py::rbf_kernel
# bug: uses the signal standard deviation as the kernel amplitude instead of its square
def rbf_kernel(X1, X2, lengthscale, signal_std):
    return signal_std * np.exp(-0.5 * sq_dists(X1, X2) / lengthscale**2)
