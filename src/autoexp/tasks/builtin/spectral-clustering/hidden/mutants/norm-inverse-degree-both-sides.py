# mutant-of: spectral.py::normalized_affinity
# bug: divides by d_i * d_j instead of sqrt(d_i * d_j)
def normalized_affinity(W):
    d = W.sum(axis=1)
    if np.any(d <= 0):
        raise ValueError("isolated point")
    inv = 1.0 / d
    return W * inv[:, None] * inv[None, :]
