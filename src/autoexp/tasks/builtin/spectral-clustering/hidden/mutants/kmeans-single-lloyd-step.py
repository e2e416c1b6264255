# mutant-of: kmeans.py::KMeans.fit
# bug: stops after one assignment + update step (convergence test misplaced)
def fit(self, X):
    X = np.asarray(X, dtype=float)
    n, k = X.shape[0], self.n_clusters
    first = int(np.argmin(np.sum((X - X.mean(axis=0)) ** 2, axis=1)))
    chosen = [first]
    d2 = np.sum((X - X[first]) ** 2, axis=1)
    for _ in range(1, k):
        nxt = int(np.argmax(d2))
        chosen.append(nxt)
        d2 = np.minimum(d2, np.sum((X - X[nxt]) ** 2, axis=1))
    centers = X[chosen].copy()
    labels = np.argmin(np.sum((X[:, None, :] - centers[None, :, :]) ** 2, axis=2), axis=1)
    for j in range(k):
        if np.any(labels == j):
            centers[j] = X[labels == j].mean(axis=0)
    self.labels_ = labels
    self.centers_ = centers
    self.inertia_ = float(np.sum((X - centers[labels]) ** 2))
    self.n_iter_ = 1
    return self
