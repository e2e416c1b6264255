# mutant-of: power.py::top_k_power
# bug: deflates the original matrix each time, so only the latest component is removed
def top_k_power(A, k, rng, max_iter=2000, tol=1e-10):
    d = A.shape[0]
    B = A.copy()
    values = np.zeros(k)
    vectors = np.zeros((d, k))
    iterations = []
    for j in range(k):
        res = power_iteration(B, rng.standard_normal(d), max_iter, tol)
        values[j] = res.value
        vectors[:, j] = res.vector
        iterations.append(res.iterations)
        B = A - res.value * np.outer(res.vector, res.vector)
    return Eigenpairs(values, vectors, iterations)
