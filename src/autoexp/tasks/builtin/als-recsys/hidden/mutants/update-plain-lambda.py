# mutant-of: als.py::update_factors
# bug: plain ridge penalty reg * I instead of the count-weighted reg * n_g * I
def update_factors(groups, other_index, residuals, other_factors, reg):
    rank = other_factors.shape[1]
    out = np.zeros((len(groups), rank))
    for g, pos in enumerate(groups):
        if len(pos) == 0:
            continue
        F = other_factors[other_index[pos]]
        out[g] = np.linalg.solve(F.T @ F + reg * np.eye(rank), F.T @ residuals[pos])
    return out
