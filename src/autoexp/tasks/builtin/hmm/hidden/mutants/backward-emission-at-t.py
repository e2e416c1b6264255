# mutant-of: inference.py::backward_scaled
# bug: uses the emission of o_t instead of o_{t+1} in the recursion
def backward_scaled(A, B, obs, c):
    T, N = obs.shape[0], A.shape[0]
    beta = np.empty((T, N))
    beta[T - 1] = 1.0
    for t in range(T - 2, -1, -1):
        beta[t] = A @ (B[:, obs[t]] * beta[t + 1]) / c[t + 1]
    return beta
