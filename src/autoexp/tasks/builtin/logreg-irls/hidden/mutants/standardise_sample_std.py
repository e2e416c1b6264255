# mutant-of: data.py::standardise
# bug: scales by the sample standard deviation (ddof=1) instead of the population one
def standardise(X_train, X_test):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0, ddof=1)
    return (X_train - mean) / std, (X_test - mean) / std
