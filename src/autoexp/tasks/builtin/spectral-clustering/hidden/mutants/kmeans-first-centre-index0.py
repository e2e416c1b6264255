# mutant-of: kmeans.py::KMeans.fit
# bug: seeds with data point 0 instead of the point closest to the mean
def fit(self, X):
    X = np.asarray(X, dtype=float)
    n, k = X.shape[0], self.n_clusters
    chosen = [0]
    d2 = np.sum((X - X[0]) ** 2, axis=1)
    for _ in range(1, k):
        nxt = int(np.argmax(d2))
        chosen.append(nxt)
        d2 = np.minimum(d2, np.sum((X - X[nxt]) ** 2, axis=1))
    centers = X[chosen].copy()
    labels = np.full(n, -1)
    it = 0
    for it in range(1, self.max_iter + 1):
        dist = np.sum((X[:, None, :] - centers[None, :, :]) ** 2, axis=2)
        new = np.argmin(dist, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = X[labels == j]
            if len(members):
                centers[j] = members.mean(axis=0)
    self.labels_ = labels
    self.centers_ = centers
    self.inertia_ = float(np.sum((X - centers[labels]) ** 2))
    self.n_iter_ = it
    return self
