# mutant-of: lloyd.py::lloyd
# bug: does not count the final iteration in which nothing changed
def lloyd(X, C0, max_iter=100):
    C = C0.copy()
    labels = assign_labels(X, C)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        C = update_centres(X, labels, C)
        new_labels = assign_labels(X, C)
        if np.array_equal(new_labels, labels):
            converged = True
            it -= 1
            break
        labels = new_labels
    return LloydResult(C, labels, inertia(X, C, labels), it, converged)
