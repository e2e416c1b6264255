# mutant-of: randomized.py::randomized_svd
# bug: leaves the signs of the singular vectors as LAPACK returns them
def randomized_svd(A, k, oversample, n_power, rng):
    Q = randomized_range_finder(A, k + oversample, n_power, rng)
    U_small, S, Vt = np.linalg.svd(Q.T @ A, full_matrices=False)
    return Q @ U_small[:, :k], S[:k], Vt[:k]
