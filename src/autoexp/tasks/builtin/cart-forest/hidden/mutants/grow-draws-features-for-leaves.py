# mutant-of: tree.py::DecisionTree._grow
# bug: draws the candidate features before the stopping checks, so leaves consume random numbers too
def _grow(self, X, y, depth):
    counts = np.bincount(y, minlength=self.n_classes)
    features = self._candidate_features()
    node = Node(counts=counts)
    n = len(y)
    if self.max_depth is not None and depth >= self.max_depth:
        return node
    if n < self.min_samples_split or counts.max() == n:
        return node
    split = best_split(X, y, features, self.n_classes, self.min_samples_leaf)
    if split is None:
        return node
    go_left = X[:, split.feature] <= split.threshold
    node.feature, node.threshold, node.impurity = split.feature, split.threshold, split.impurity
    node.left = self._grow(X[go_left], y[go_left], depth + 1)
    node.right = self._grow(X[~go_left], y[~go_left], depth + 1)
    return node
