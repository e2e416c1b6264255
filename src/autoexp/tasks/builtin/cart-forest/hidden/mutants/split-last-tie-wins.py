# mutant-of: splitter.py::best_split
# bug: keeps the last of several equally good candidates instead of the first
def best_split(X, y, features, n_classes, min_samples_leaf):
    n = len(y)
    best = None
    best_score = np.inf
    for f in features:
        f = int(f)
        order = np.argsort(X[:, f], kind="stable")
        xs = X[order, f]
        scores = weighted_child_gini(y[order], n_classes)
        for i in range(1, n):
            if xs[i] == xs[i - 1]:
                continue
            if i < min_samples_leaf or n - i < min_samples_leaf:
                continue
            if scores[i - 1] <= best_score + TIE_EPS:
                best_score = scores[i - 1]
                best = Split(f, float((xs[i - 1] + xs[i]) / 2), float(scores[i - 1]))
    return best
