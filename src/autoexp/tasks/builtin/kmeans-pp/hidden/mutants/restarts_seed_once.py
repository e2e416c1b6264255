# mutant-of: restarts.py::run_restarts
# bug: draws the starting centres once and reuses them for every restart
def run_restarts(X, k, n_restarts, seeding, rng, max_iter=100):
    start = seeding(X, k, rng)
    runs = [lloyd(X, start, max_iter) for _ in range(n_restarts)]
    inertias = [r.inertia for r in runs]
    best = runs[int(np.argmin(inertias))]
    return RestartSummary(best, inertias, [r.iterations for r in runs])
