# mutant-of: lloyd.py::assign_labels
# bug: measures nearness with the L1 (Manhattan) distance
def assign_labels(X, C):
    d1 = np.abs(X[:, None, :] - C[None, :, :]).sum(axis=2)
    return np.argmin(d1, axis=1)
