# mutant-of: naive_bayes.py::MultinomialNB.fit
# bug: also smooths the class prior with alpha
def fit(self, X, y, n_classes):
    class_count = np.bincount(y, minlength=n_classes).astype(np.float64) + self.alpha
    self.class_log_prior = np.log(class_count / class_count.sum())
    word_count = np.zeros((n_classes, X.shape[1]))
    for c in range(n_classes):
        word_count[c] = X[y == c].sum(axis=0)
    smoothed = word_count + self.alpha
    self.feature_log_prob = np.log(smoothed / smoothed.sum(axis=1, keepdims=True))
    return self
