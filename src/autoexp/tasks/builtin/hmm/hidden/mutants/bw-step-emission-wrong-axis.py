# mutant-of: learning.py::baum_welch_step
# bug: normalises the emission counts over states (columns) and then rows, instead of by each state's total
def baum_welch_step(model, sequences):
    N, M = model.n_states, model.n_symbols
    pi_acc = np.zeros(N)
    trans = np.zeros((N, N))
    from_count = np.zeros(N)
    emit = np.zeros((N, M))
    total = 0.0
    for obs in sequences:
        alpha, c = forward_scaled(model.pi, model.A, model.B, obs)
        beta = backward_scaled(model.A, model.B, obs, c)
        gamma, xi_sum = posteriors(alpha, beta, c, model.A, model.B, obs)
        total += log_likelihood(c)
        pi_acc += gamma[0]
        trans += xi_sum
        from_count += gamma[:-1].sum(axis=0)
        for k in range(M):
            emit[:, k] += gamma[obs == k].sum(axis=0)
    pi = pi_acc / len(sequences)
    A = trans / from_count[:, None]
    B = emit / emit.sum(axis=0, keepdims=True)
    B = B / B.sum(axis=1, keepdims=True)
    return HMM(pi, A, B), total
