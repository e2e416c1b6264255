# mutant-of: naive_bayes.py::BernoulliNB.fit
# bug: smooths the presence probability with N_c + alpha instead of N_c + 2 alpha in the denominator
def fit(self, X, y, n_classes):
    B = (X > 0).astype(np.float64)
    class_count = np.bincount(y, minlength=n_classes).astype(np.float64)
    self.class_log_prior = np.log(class_count / class_count.sum())
    doc_count = np.zeros((n_classes, X.shape[1]))
    for c in range(n_classes):
        doc_count[c] = B[y == c].sum(axis=0)
    p = (doc_count + self.alpha) / (class_count[:, None] + self.alpha)
    p = np.minimum(p, 1 - 1e-12)
    self.feature_log_prob = np.log(p)
    self.feature_log_neg_prob = np.log1p(-p)
    return self
