# mutant-of: boosting.py::GradientBoostingRegressor.fit
# bug: keeps the tree's mean pseudo-residual in each leaf instead of the loss's line-search value
def fit(self, X, y):
    self.init_ = self.loss.init_estimate(y)
    f = np.full(len(y), self.init_)
    self.trees, self.train_loss = [], []
    for _ in range(self.n_estimators):
        r = self.loss.negative_gradient(y, f)
        tree = RegressionTree(self.max_depth, self.min_samples_leaf).fit(X, r)
        f = f + self.learning_rate * tree.predict(X)
        self.trees.append(tree)
        self.train_loss.append(self.loss.loss(y, f))
    return self
