# mutant-of: als.py::update_factors
# bug: right-hand side uses (sum of F rows) * mean residual instead of F^T r
def update_factors(groups, other_index, residuals, other_factors, reg):
    rank = other_factors.shape[1]
    out = np.zeros((len(groups), rank))
    for g, pos in enumerate(groups):
        if len(pos) == 0:
            continue
        F = other_factors[other_index[pos]]
        A = F.T @ F + reg * len(pos) * np.eye(rank)
        out[g] = np.linalg.solve(A, F.sum(axis=0) * residuals[pos].mean())
    return out
