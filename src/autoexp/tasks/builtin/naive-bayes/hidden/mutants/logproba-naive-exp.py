# mutant-of: naive_bayes.py::NaiveBayes.predict_log_proba
# bug: normalises without the max shift, so exp underflows for long documents
def predict_log_proba(self, X):
    jll = self.joint_log_likelihood(X)
    with np.errstate(divide="ignore", invalid="ignore"):
        return jll - np.log(np.exp(jll).sum(axis=1, keepdims=True))
