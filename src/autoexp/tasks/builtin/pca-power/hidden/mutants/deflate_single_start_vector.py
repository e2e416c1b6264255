# mutant-of: power.py::top_k_power
# bug: draws one start vector and reuses it for every component
def top_k_power(A, k, rng, max_iter=2000, tol=1e-10):
    d = A.shape[0]
    B = A.copy()
    v0 = rng.standard_normal(d)
    values = np.zeros(k)
    vectors = np.zeros((d, k))
    iterations = []
    for j in range(k):
        res = power_iteration(B, v0, max_iter, tol)
        values[j] = res.value
        vectors[:, j] = res.vector
        iterations.append(res.iterations)
        B = B - res.value * np.outer(res.vector, res.vector)
    return Eigenpairs(values, vectors, iterations)
