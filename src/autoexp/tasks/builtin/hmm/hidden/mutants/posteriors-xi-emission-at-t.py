# mutant-of: inference.py::posteriors
# bug: xi uses the emission of o_t instead of o_{t+1}
def posteriors(alpha, beta, c, A, B, obs):
    gamma = alpha * beta
    right = B[:, obs[:-1]].T * beta[1:] / c[1:, None]
    xi_sum = A * (alpha[:-1].T @ right)
    return gamma, xi_sum
