# mutant-of: randomized.py::randomized_svd
# bug: sketches only k directions, ignoring the oversampling
def randomized_svd(A, k, oversample, n_power, rng):
    Q = randomized_range_finder(A, k, n_power, rng)
    U_small, S, Vt = np.linalg.svd(Q.T @ A, full_matrices=False)
    U = Q @ U_small
    for j in range(k):
        i = int(np.argmax(np.abs(Vt[j])))
        if Vt[j, i] < 0:
            Vt[j] = -Vt[j]
            U[:, j] = -U[:, j]
    return U, S, Vt
