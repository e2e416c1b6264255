# mutant-of: criteria.py::weighted_child_gini
# bug: averages the two child impurities instead of weighting them by child size
def weighted_child_gini(y_sorted, n_classes):
    n = len(y_sorted)
    onehot = np.zeros((n, n_classes))
    onehot[np.arange(n), y_sorted] = 1.0
    left = np.cumsum(onehot, axis=0)[:-1]
    right = onehot.sum(axis=0)[None, :] - left
    n_left = np.arange(1, n, dtype=np.float64)
    n_right = n - n_left
    gini_left = 1.0 - np.sum((left / n_left[:, None]) ** 2, axis=1)
    gini_right = 1.0 - np.sum((right / n_right[:, None]) ** 2, axis=1)
    return (gini_left + gini_right) / 2
