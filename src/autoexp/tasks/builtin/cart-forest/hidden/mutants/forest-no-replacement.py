# mutant-of: forest.py::RandomForest.fit
# bug: draws the sample rows without replacement (a permutation), so there is no real bootstrap
def fit(self, X, y):
    n = len(y)
    self.n_classes = int(y.max() + 1)
    self.trees, self.in_bag = [], []
    for _ in range(self.n_trees):
        idx = self.rng.permutation(n)
        tree = DecisionTree(
            max_depth=self.max_depth,
            min_samples_split=self.min_samples_split,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
            rng=self.rng,
        )
        tree.fit(X[idx], y[idx], n_classes=self.n_classes)
        mask = np.zeros(n, dtype=bool)
        mask[idx] = True
        self.trees.append(tree)
        self.in_bag.append(mask)
    return self
