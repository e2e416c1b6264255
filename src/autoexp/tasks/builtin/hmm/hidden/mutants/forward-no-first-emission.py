# mutant-of: inference.py::forward_scaled
# bug: initialises alpha_0 with pi only, forgetting the emission of the first symbol
def forward_scaled(pi, A, B, obs):
    T, N = obs.shape[0], pi.shape[0]
    alpha = np.empty((T, N))
    c = np.empty(T)
    alpha[0] = pi / pi.sum()
    c[0] = 1.0
    for t in range(1, T):
        a = (alpha[t - 1] @ A) * B[:, obs[t]]
        c[t] = a.sum()
        alpha[t] = a / c[t]
    return alpha, c
