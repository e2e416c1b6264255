# mutant-of: inference.py::posteriors
# bug: uses the filtered alpha_hat as the state posterior (ignores beta in gamma)
def posteriors(alpha, beta, c, A, B, obs):
    gamma = alpha.copy()
    right = B[:, obs[1:]].T * beta[1:] / c[1:, None]
    xi_sum = A * (alpha[:-1].T @ right)
    return gamma, xi_sum
