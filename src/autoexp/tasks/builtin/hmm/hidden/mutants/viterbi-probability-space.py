# mutant-of: viterbi.py::viterbi
# bug: runs the recursion on probabilities instead of logs; underflows on long sequences
def viterbi(pi, A, B, obs):
    T, N = obs.shape[0], pi.shape[0]
    delta = pi * B[:, obs[0]]
    back = np.zeros((T, N), dtype=np.int64)
    for t in range(1, T):
        scores = delta[:, None] * A
        back[t] = np.argmax(scores, axis=0)
        delta = scores[back[t], np.arange(N)] * B[:, obs[t]]
    path = np.empty(T, dtype=np.int64)
    path[T - 1] = int(np.argmax(delta))
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    with np.errstate(divide="ignore"):
        return path, float(np.log(delta[path[T - 1]]))
