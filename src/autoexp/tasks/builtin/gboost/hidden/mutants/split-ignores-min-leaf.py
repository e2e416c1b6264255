# mutant-of: regtree.py::best_split
# bug: never checks min_samples_leaf, so a leaf may hold a single row
def best_split(X, r, min_samples_leaf):
    n, d = X.shape
    best = None
    for f in range(d):
        order = np.argsort(X[:, f], kind="stable")
        xs, rs = X[order, f], r[order]
        csum = np.cumsum(rs)[:-1]
        total = rs.sum()
        n_left = np.arange(1, n, dtype=np.float64)
        gain = csum**2 / n_left + (total - csum) ** 2 / (n - n_left) - total**2 / n
        valid = xs[1:] != xs[:-1]
        if not valid.any():
            continue
        i = int(np.argmax(np.where(valid, gain, -np.inf)))
        if best is None or gain[i] > best.gain + REL_TIE * abs(best.gain):
            best = Split(f, float((xs[i] + xs[i + 1]) / 2), float(gain[i]))
    return best
