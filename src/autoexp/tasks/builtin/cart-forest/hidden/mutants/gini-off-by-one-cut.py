# mutant-of: criteria.py::weighted_child_gini
# bug: entry i-1 scores the cut after i+1 labels (cumulative counts taken one step too far)
def weighted_child_gini(y_sorted, n_classes):
    n = len(y_sorted)
    onehot = np.zeros((n, n_classes))
    onehot[np.arange(n), y_sorted] = 1.0
    total = onehot.sum(axis=0)
    out = np.zeros(n - 1)
    for i in range(1, n):
        left = onehot[: i + 1].sum(axis=0)
        right = total - left
        nl, nr = left.sum(), right.sum()
        gl = 1.0 - np.sum((left / nl) ** 2) if nl > 0 else 0.0
        gr = 1.0 - np.sum((right / nr) ** 2) if nr > 0 else 0.0
        out[i - 1] = (nl * gl + nr * gr) / n
    return out
