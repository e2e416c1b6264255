# mutant-of: als.py::regularized_objective
# bug: plain Frobenius penalty, forgetting the per-user / per-item counts
def regularized_objective(residuals, users, items, P, Q, reg):
    err = residuals - np.sum(P[users] * Q[items], axis=1)
    return float(np.sum(err**2) + reg * (np.sum(P**2) + np.sum(Q**2)))
