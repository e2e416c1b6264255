# mutant-of: regtree.py::best_split
# bug: scores a cut by the plain average of the two child variances instead of the size-weighted SSE decrease
def best_split(X, r, min_samples_leaf):
    n, d = X.shape
    best = None
    for f in range(d):
        order = np.argsort(X[:, f], kind="stable")
        xs, rs = X[order, f], r[order]
        parent = rs.var()
        for i in range(1, n):
            if xs[i] == xs[i - 1] or i < min_samples_leaf or n - i < min_samples_leaf:
                continue
            gain = parent - 0.5 * (rs[:i].var() + rs[i:].var())
            if best is None or gain > best.gain + REL_TIE * abs(best.gain):
                best = Split(f, float((xs[i - 1] + xs[i]) / 2), float(gain))
    return best
