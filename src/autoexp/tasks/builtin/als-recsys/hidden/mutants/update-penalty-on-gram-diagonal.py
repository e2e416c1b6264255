# mutant-of: als.py::update_factors
# bug: scales the diagonal of F^T F by (1 + reg) instead of adding reg * n_g
def update_factors(groups, other_index, residuals, other_factors, reg):
    rank = other_factors.shape[1]
    out = np.zeros((len(groups), rank))
    for g, pos in enumerate(groups):
        if len(pos) == 0:
            continue
        F = other_factors[other_index[pos]]
        A = F.T @ F
        A[np.diag_indices(rank)] *= 1.0 + reg
        out[g] = np.linalg.solve(A, F.T @ residuals[pos])
    return out
