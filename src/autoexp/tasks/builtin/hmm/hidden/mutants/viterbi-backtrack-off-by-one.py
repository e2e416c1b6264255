# mutant-of: viterbi.py::viterbi
# bug: follows the back-pointer of the wrong time step when backtracking
def viterbi(pi, A, B, obs):
    T, N = obs.shape[0], pi.shape[0]
    log_pi, log_A, log_B = np.log(pi), np.log(A), np.log(B)
    delta = log_pi + log_B[:, obs[0]]
    back = np.zeros((T, N), dtype=np.int64)
    for t in range(1, T):
        scores = delta[:, None] + log_A
        back[t] = np.argmax(scores, axis=0)
        delta = np.max(scores, axis=0) + log_B[:, obs[t]]
    path = np.empty(T, dtype=np.int64)
    path[T - 1] = int(np.argmax(delta))
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t - 1, path[t]]
    return path, float(delta[path[T - 1]])
