# mutant-of: metrics.py::macro_f1
# bug: pools the counts over classes (micro F1, equal to accuracy here) instead of averaging per-class F1
def macro_f1(y_true, y_pred, n_classes):
    tp = fp = fn = 0
    for c in range(n_classes):
        tp += np.sum((y_pred == c) & (y_true == c))
        fp += np.sum((y_pred == c) & (y_true != c))
        fn += np.sum((y_pred != c) & (y_true == c))
    return float(2 * tp / (2 * tp + fp + fn))
