# mutant-of: boosting.py::GradientBoostingRegressor.staged_predict
# bug: yields the constant initial prediction first, so every stage is shifted by one tree
def staged_predict(self, X):
    f = np.full(len(X), self.init_)
    for tree in self.trees:
        yield f.copy()
        f = f + self.learning_rate * tree.predict(X)
