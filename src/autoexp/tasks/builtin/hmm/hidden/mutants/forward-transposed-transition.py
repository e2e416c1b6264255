# mutant-of: inference.py::forward_scaled
# bug: propagates with A @ alpha (A[j, i]) instead of alpha @ A
def forward_scaled(pi, A, B, obs):
    T, N = obs.shape[0], pi.shape[0]
    alpha = np.empty((T, N))
    c = np.empty(T)
    a = pi * B[:, obs[0]]
    c[0] = a.sum()
    alpha[0] = a / c[0]
    for t in range(1, T):
        a = (A @ alpha[t - 1]) * B[:, obs[t]]
        c[t] = a.sum()
        alpha[t] = a / c[t]
    return alpha, c
