# mutant-of: spectral.py::normalized_affinity
# bug: random-walk normalisation D^{-1} W instead of the symmetric D^{-1/2} W D^{-1/2}
def normalized_affinity(W):
    d = W.sum(axis=1)
    if np.any(d <= 0):
        raise ValueError("isolated point")
    return W / d[:, None]
