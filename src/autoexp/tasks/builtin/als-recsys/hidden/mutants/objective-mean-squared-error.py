# mutant-of: als.py::regularized_objective
# bug: averages the squared errors instead of summing them
def regularized_objective(residuals, users, items, P, Q, reg):
    err = residuals - np.sum(P[users] * Q[items], axis=1)
    n_u = np.bincount(users, minlength=P.shape[0])
    n_i = np.bincount(items, minlength=Q.shape[0])
    penalty = np.sum(n_u * np.sum(P**2, axis=1)) + np.sum(n_i * np.sum(Q**2, axis=1))
    return float(np.mean(err**2) + reg * penalty)
