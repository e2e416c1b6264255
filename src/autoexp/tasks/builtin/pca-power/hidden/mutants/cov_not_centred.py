# mutant-of: power.py::covariance_matrix
# bug: forgets to subtract the column means (second moment matrix instead of covariance)
def covariance_matrix(X):
    return X.T @ X / (X.shape[0] - 1)
