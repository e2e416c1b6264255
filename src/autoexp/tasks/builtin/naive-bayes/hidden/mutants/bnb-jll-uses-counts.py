# mutant-of: naive_bayes.py::BernoulliNB.joint_log_likelihood
# bug: weights the presence term by the word count instead of by presence
def joint_log_likelihood(self, X):
    absent = (X == 0).astype(np.float64)
    return X @ self.feature_log_prob.T + absent @ self.feature_log_neg_prob.T + self.class_log_prior
