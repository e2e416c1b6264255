# mutant-of: evaluate.py::evaluate
# bug: pairs log(p) with y = 0 and log(1 - p) with y = 1
def evaluate(w, X, y):
    p = sigmoid(X @ w)
    accuracy = float(np.mean((p >= 0.5) == y))
    log_loss = -np.mean((1.0 - y) * np.log(p) + y * np.log(1.0 - p))
    return {"accuracy": accuracy, "log_loss": float(log_loss)}
