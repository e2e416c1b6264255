# mutant-of: lloyd.py::update_centres
# bug: counts the old centre as one extra member of its cluster when averaging
def update_centres(X, labels, C_old):
    k, d = C_old.shape
    C = C_old.copy()
    for j in range(k):
        members = X[labels == j]
        C[j] = (members.sum(axis=0) + C_old[j]) / (len(members) + 1)
    return C
