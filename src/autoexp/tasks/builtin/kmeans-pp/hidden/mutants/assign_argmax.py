# mutant-of: lloyd.py::assign_labels
# bug: takes the farthest centre (argmax) instead of the nearest
def assign_labels(X, C):
    return np.argmax(squared_distances(X, C), axis=1)
