# mutant-of: splitter.py::best_split
# bug: uses the lower observed value as threshold instead of the midpoint to the next value
def best_split(X, y, features, n_classes, min_samples_leaf):
    n = len(y)
    best = None
    best_score = np.inf
    for f in features:
        f = int(f)
        values = np.unique(X[:, f])
        for t in values[:-1]:
            go_left = X[:, f] <= t
            n_left = int(go_left.sum())
            if n_left < min_samples_leaf or n - n_left < min_samples_leaf:
                continue
            cl = np.bincount(y[go_left], minlength=n_classes) / n_left
            cr = np.bincount(y[~go_left], minlength=n_classes) / (n - n_left)
            score = (n_left * (1 - cl @ cl) + (n - n_left) * (1 - cr @ cr)) / n
            if score < best_score - TIE_EPS:
                best_score = score
                best = Split(f, float(t), float(score))
    return best
