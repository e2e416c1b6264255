# mutant-of: learning.py::baum_welch_step
# bug: re-estimates A and B per sequence and averages the estimates (instead of pooling counts)
def baum_welch_step(model, sequences):
    N, M = model.n_states, model.n_symbols
    pi = np.zeros(N)
    A = np.zeros((N, N))
    B = np.zeros((N, M))
    total = 0.0
    for obs in sequences:
        alpha, c = forward_scaled(model.pi, model.A, model.B, obs)
        beta = backward_scaled(model.A, model.B, obs, c)
        gamma, xi_sum = posteriors(alpha, beta, c, model.A, model.B, obs)
        total += log_likelihood(c)
        pi += gamma[0]
        A += xi_sum / gamma[:-1].sum(axis=0)[:, None]
        emit = np.stack([gamma[obs == k].sum(axis=0) for k in range(M)], axis=1)
        B += emit / gamma.sum(axis=0)[:, None]
    n = len(sequences)
    return HMM(pi / n, A / n, B / n), total
