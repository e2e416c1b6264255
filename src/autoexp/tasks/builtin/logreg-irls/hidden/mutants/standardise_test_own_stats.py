# mutant-of: data.py::standardise
# bug: standardises the test rows with their own mean and deviation instead of the training ones
def standardise(X_train, X_test):
    def scale(X):
        return (X - X.mean(axis=0)) / X.std(axis=0)

    return scale(X_train), scale(X_test)
