# mutant-of: criteria.py::weighted_child_gini
# bug: uses the entropy of the children instead of their Gini impurity
def weighted_child_gini(y_sorted, n_classes):
    n = len(y_sorted)
    onehot = np.zeros((n, n_classes))
    onehot[np.arange(n), y_sorted] = 1.0
    left = np.cumsum(onehot, axis=0)[:-1]
    right = onehot.sum(axis=0)[None, :] - left
    n_left = np.arange(1, n, dtype=np.float64)
    n_right = n - n_left

    def entropy(c, m):
        p = c / m[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(p > 0, p * np.log2(p), 0.0)
        return -t.sum(axis=1)

    return (n_left * entropy(left, n_left) + n_right * entropy(right, n_right)) / n
