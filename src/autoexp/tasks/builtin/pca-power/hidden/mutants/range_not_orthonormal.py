# mutant-of: randomized.py::randomized_range_finder
# bug: returns the sketch normalised column by column instead of an orthonormal basis
def randomized_range_finder(A, size, n_power, rng):
    Y = A @ rng.standard_normal((A.shape[1], size))
    for _ in range(n_power):
        Y = A @ (A.T @ Y)
    return Y / np.linalg.norm(Y, axis=0)
