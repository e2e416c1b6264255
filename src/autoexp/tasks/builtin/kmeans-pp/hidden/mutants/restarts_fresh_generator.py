# mutant-of: restarts.py::run_restarts
# bug: builds a new generator with seed 0 for every restart, so all restarts coincide
def run_restarts(X, k, n_restarts, seeding, rng, max_iter=100):
    runs = [lloyd(X, seeding(X, k, np.random.default_rng(0)), max_iter) for _ in range(n_restarts)]
    inertias = [r.inertia for r in runs]
    best = runs[int(np.argmin(inertias))]
    return RestartSummary(best, inertias, [r.iterations for r in runs])
