# mutant-of: naive_bayes.py::NaiveBayes.predict_log_proba
# bug: normalises over the documents (axis 0) instead of over the classes
def predict_log_proba(self, X):
    jll = self.joint_log_likelihood(X)
    top = jll.max(axis=0, keepdims=True)
    return jll - (top + np.log(np.exp(jll - top).sum(axis=0, keepdims=True)))
