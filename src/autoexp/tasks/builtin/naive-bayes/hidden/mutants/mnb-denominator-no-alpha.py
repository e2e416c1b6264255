# mutant-of: naive_bayes.py::MultinomialNB.fit
# bug: adds alpha to the word counts but normalises by the raw class total, so rows do not sum to one
def fit(self, X, y, n_classes):
    class_count = np.bincount(y, minlength=n_classes).astype(np.float64)
    self.class_log_prior = np.log(class_count / class_count.sum())
    word_count = np.zeros((n_classes, X.shape[1]))
    for c in range(n_classes):
        word_count[c] = X[y == c].sum(axis=0)
    self.feature_log_prob = np.log((word_count + self.alpha) / word_count.sum(axis=1, keepdims=True))
    return self
