# mutant-of: naive_bayes.py::BernoulliNB.fit
# bug: estimates p from the share of word tokens (multinomial style) instead of the share of documents containing the word
def fit(self, X, y, n_classes):
    class_count = np.bincount(y, minlength=n_classes).astype(np.float64)
    self.class_log_prior = np.log(class_count / class_count.sum())
    word_count = np.zeros((n_classes, X.shape[1]))
    for c in range(n_classes):
        word_count[c] = X[y == c].sum(axis=0)
    p = (word_count + self.alpha) / (word_count.sum(axis=1, keepdims=True) + 2 * self.alpha)
    self.feature_log_prob = np.log(p)
    self.feature_log_neg_prob = np.log1p(-p)
    return self
