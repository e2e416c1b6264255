# mutant-of: metrics.py::adjusted_rand_index
# bug: counts pairs as m^2 / 2 instead of m(m-1)/2
def adjusted_rand_index(labels_true, labels_pred):
    C = contingency(labels_true, labels_pred)
    n = int(C.sum())
    sum_cells = float(np.sum(C**2 / 2.0))
    sum_rows = float(np.sum(C.sum(axis=1) ** 2 / 2.0))
    sum_cols = float(np.sum(C.sum(axis=0) ** 2 / 2.0))
    expected = sum_rows * sum_cols / (n**2 / 2.0)
    max_index = 0.5 * (sum_rows + sum_cols)
    if max_index == expected:
        return 1.0
    return (sum_cells - expected) / (max_index - expected)
