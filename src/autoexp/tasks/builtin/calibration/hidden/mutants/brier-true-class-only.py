# mutant-of: metrics.py::brier_score
# bug: only counts the squared error of the true class, ignoring the probability put on wrong classes
def brier_score(probs, y):
    return float(np.mean((1.0 - probs[np.arange(len(y)), y]) ** 2))
