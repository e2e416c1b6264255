# mutant-of: boosting.py::GradientBoostingRegressor.fit
# bug: applies the learning rate at prediction time only, not to the training predictions
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
        f = f + gamma[leaf]
        self.trees.append(tree)
        self.train_loss.append(self.loss.loss(y, f))
    return self
