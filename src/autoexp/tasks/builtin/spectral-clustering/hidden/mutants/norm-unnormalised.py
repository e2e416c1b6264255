# mutant-of: spectral.py::normalized_affinity
# bug: divides W by its largest degree only, so M is not degree-normalised per node
def normalized_affinity(W):
    d = W.sum(axis=1)
    if np.any(d <= 0):
        raise ValueError("isolated point")
    return W / d.max()
