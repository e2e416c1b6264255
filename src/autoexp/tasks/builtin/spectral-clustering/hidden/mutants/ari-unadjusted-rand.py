# mutant-of: metrics.py::adjusted_rand_index
# bug: returns the plain (unadjusted) Rand index
def adjusted_rand_index(labels_true, labels_pred):
    C = contingency(labels_true, labels_pred)
    n = int(C.sum())
    pairs_total = n * (n - 1) / 2.0
    same_both = np.sum(C * (C - 1) / 2.0)
    same_true = np.sum(C.sum(axis=1) * (C.sum(axis=1) - 1) / 2.0)
    same_pred = np.sum(C.sum(axis=0) * (C.sum(axis=0) - 1) / 2.0)
    agree = pairs_total + 2 * same_both - same_true - same_pred
    return float(agree / pairs_total)
