# mutant-of: randomized.py::randomized_range_finder
# bug: never applies the power iterations (n_power is ignored)
def randomized_range_finder(A, size, n_power, rng):
    omega = rng.standard_normal((A.shape[1], size))
    Q, _ = np.linalg.qr(A @ omega)
    return Q
