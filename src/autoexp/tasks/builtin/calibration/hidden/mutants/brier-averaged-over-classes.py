# mutant-of: metrics.py::brier_score
# bug: averages the squared errors over classes as well as rows (divides by C)
def brier_score(probs, y):
    onehot = np.eye(probs.shape[1])[y]
    return float(np.mean((probs - onehot) ** 2))
