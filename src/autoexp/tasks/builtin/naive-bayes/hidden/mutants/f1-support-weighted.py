# mutant-of: metrics.py::macro_f1
# bug: weights each class's F1 by its number of true documents
def macro_f1(y_true, y_pred, n_classes):
    scores, weights = [], []
    for c in range(n_classes):
        tp = np.sum((y_pred == c) & (y_true == c))
        fp = np.sum((y_pred == c) & (y_true != c))
        fn = np.sum((y_pred != c) & (y_true == c))
        denom = 2 * tp + fp + fn
        scores.append(2 * tp / denom if denom > 0 else 0.0)
        weights.append(np.sum(y_true == c))
    return float(np.average(scores, weights=weights))
