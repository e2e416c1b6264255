# mutant-of: model.py::train_softmax_regression
# bug: adds an L2 penalty (weight decay 1e-3) that the method does not use
def train_softmax_regression(X, y, n_classes, lr, steps):
    n, d = X.shape
    W = np.zeros((d, n_classes))
    b = np.zeros(n_classes)
    Y = np.eye(n_classes)[y]
    for _ in range(steps):
        Z = X @ W + b
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        G = (P - Y) / n
        W -= lr * (X.T @ G + 1e-3 * W)
        b -= lr * G.sum(axis=0)
    return W, b
