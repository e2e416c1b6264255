# mutant-of: model.py::train_softmax_regression
# bug: never updates the bias vector
def train_softmax_regression(X, y, n_classes, lr, steps):
    n, d = X.shape
    W = np.zeros((d, n_classes))
    b = np.zeros(n_classes)
    Y = np.eye(n_classes)[y]
    for _ in range(steps):
        Z = X @ W
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        W -= lr * (X.T @ (P - Y)) / n
    return W, b
