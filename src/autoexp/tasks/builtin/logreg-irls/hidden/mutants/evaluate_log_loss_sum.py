# mutant-of: evaluate.py::evaluate
# bug: reports the summed log-loss instead of the mean
def evaluate(w, X, y):
    z = X @ w
    accuracy = float(np.mean((sigmoid(z) >= 0.5) == y))
    per_sample = y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z)
    return {"accuracy": accuracy, "log_loss": float(np.sum(per_sample))}
