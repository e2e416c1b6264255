# mutant-of: naive_bayes.py::BernoulliNB.joint_log_likelihood
# bug: only the words present in the document contribute; absent words are skipped
def joint_log_likelihood(self, X):
    B = (X > 0).astype(np.float64)
    return B @ self.feature_log_prob.T + self.class_log_prior
