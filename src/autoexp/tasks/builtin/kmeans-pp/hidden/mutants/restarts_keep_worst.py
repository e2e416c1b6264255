# mutant-of: restarts.py::run_restarts
# bug: keeps the run with the highest inertia
def run_restarts(X, k, n_restarts, seeding, rng, max_iter=100):
    runs = [lloyd(X, seeding(X, k, rng), max_iter) for _ in range(n_restarts)]
    inertias = [r.inertia for r in runs]
    best = runs[int(np.argmax(inertias))]
    return RestartSummary(best, inertias, [r.iterations for r in runs])
