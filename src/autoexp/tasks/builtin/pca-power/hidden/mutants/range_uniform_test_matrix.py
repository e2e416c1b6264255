# mutant-of: randomized.py::randomized_range_finder
# bug: draws the test matrix from U[0, 1) instead of a standard Gaussian
def randomized_range_finder(A, size, n_power, rng):
    omega = rng.random((A.shape[1], size))
    Q, _ = np.linalg.qr(A @ omega)
    for _ in range(n_power):
        Z, _ = np.linalg.qr(A.T @ Q)
        Q, _ = np.linalg.qr(A @ Z)
    return Q
