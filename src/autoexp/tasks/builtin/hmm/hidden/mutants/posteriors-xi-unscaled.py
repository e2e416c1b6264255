# mutant-of: inference.py::posteriors
# bug: forgets to divide xi_t by the scale factor c_{t+1}
def posteriors(alpha, beta, c, A, B, obs):
    gamma = alpha * beta
    right = B[:, obs[1:]].T * beta[1:]
    xi_sum = A * (alpha[:-1].T @ right)
    return gamma, xi_sum
