# mutant-of: calibration.py::fit_temperature
# bug: replaces the bounded minimisation by a coarse grid search with step 0.1
def fit_temperature(logits, y):
    grid = np.arange(0.1, 10.0 + 1e-9, 0.1)
    losses = [nll_at_temperature(logits, y, T) for T in grid]
    return float(grid[int(np.argmin(losses))])
