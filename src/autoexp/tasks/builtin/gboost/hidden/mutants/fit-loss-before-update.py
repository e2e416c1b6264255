# mutant-of: boosting.py::GradientBoostingRegressor.fit
# bug: records the training loss before the round's update instead of after it
def fit(self, X, y):
    self.init_ = self.loss.init_estimate(y)
    f = np.full(len(y), self.init_)
    self.trees, self.train_loss = [], []
    for _ in range(self.n_estimators):
        r = self.loss.negative_gradient(y, f)
        tree = RegressionTree(self.max_depth, self.min_samples_leaf).fit(X, r)
        leaf = tree.apply(X)
        gamma = self.loss.leaf_values(y, f, leaf, tree.n_leaves)
        tree.set_leaf_values(gamma)
        self.train_loss.append(self.loss.loss(y, f))
        f = f + self.learning_rate * gamma[leaf]
        self.trees.append(tree)
    return self
