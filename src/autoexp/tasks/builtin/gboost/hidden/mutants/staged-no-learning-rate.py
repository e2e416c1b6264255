# mutant-of: boosting.py::GradientBoostingRegressor.staged_predict
# bug: adds the trees without the learning rate
def staged_predict(self, X):
    f = np.full(len(X), self.init_)
    for tree in self.trees:
        f = f + tree.predict(X)
        yield f.copy()
