# mutant-of: naive_bayes.py::MultinomialNB.fit
# bug: uses a uniform class prior instead of the class frequencies
def fit(self, X, y, n_classes):
    self.class_log_prior = np.full(n_classes, -np.log(n_classes))
    word_count = np.zeros((n_classes, X.shape[1]))
    for c in range(n_classes):
        word_count[c] = X[y == c].sum(axis=0)
    smoothed = word_count + self.alpha
    self.feature_log_prob = np.log(smoothed / smoothed.sum(axis=1, keepdims=True))
    return self
