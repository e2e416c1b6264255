# mutant-of: lloyd.py::lloyd
# bug: stops as soon as the inertia improves by less than 1e-3 relative, before labels settle
def lloyd(X, C0, max_iter=100):
    C = C0.copy()
    labels = assign_labels(X, C)
    previous = inertia(X, C, labels)
    it = 0
    for it in range(1, max_iter + 1):
        C = update_centres(X, labels, C)
        labels = assign_labels(X, C)
        current = inertia(X, C, labels)
        if previous - current < 1e-3 * previous:
            return LloydResult(C, labels, current, it, True)
        previous = current
    return LloydResult(C, labels, inertia(X, C, labels), it, False)
