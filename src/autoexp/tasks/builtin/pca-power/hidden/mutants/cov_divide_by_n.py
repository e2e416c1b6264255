# mutant-of: power.py::covariance_matrix
# bug: biased estimator, divides by n instead of n - 1
def covariance_matrix(X):
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / X.shape[0]
