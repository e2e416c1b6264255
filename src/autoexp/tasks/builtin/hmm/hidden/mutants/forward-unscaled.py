# mutant-of: inference.py::forward_scaled
# bug: no per-step rescaling; alpha underflows on long sequences and c only holds the final sum
def forward_scaled(pi, A, B, obs):
    T, N = obs.shape[0], pi.shape[0]
    alpha = np.empty((T, N))
    alpha[0] = pi * B[:, obs[0]]
    for t in range(1, T):
        alpha[t] = (alpha[t - 1] @ A) * B[:, obs[t]]
    c = np.ones(T)
    c[-1] = alpha[-1].sum()
    return alpha, c
