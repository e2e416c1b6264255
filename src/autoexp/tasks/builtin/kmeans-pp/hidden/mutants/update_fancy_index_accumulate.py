# mutant-of: lloyd.py::update_centres
# bug: accumulates with sums[labels] += X, which keeps only one point per cluster
def update_centres(X, labels, C_old):
    k, d = C_old.shape
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros((k, d))
    sums[labels] += X
    C = C_old.copy()
    nonempty = counts > 0
    C[nonempty] = sums[nonempty] / counts[nonempty, None]
    return C
