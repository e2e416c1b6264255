# mutant-of: evaluate.py::evaluate
# bug: clips probabilities to [0.01, 0.99] before taking logs
def evaluate(w, X, y):
    p = np.clip(sigmoid(X @ w), 0.01, 0.99)
    accuracy = float(np.mean((p >= 0.5) == y))
    log_loss = -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    return {"accuracy": accuracy, "log_loss": float(log_loss)}
