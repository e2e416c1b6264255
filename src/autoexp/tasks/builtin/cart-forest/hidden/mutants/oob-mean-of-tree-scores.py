# mutant-of: forest.py::RandomForest.oob_score
# bug: averages each tree's own out-of-bag accuracy instead of scoring the out-of-bag vote
def oob_score(self, X, y):
    scores = []
    covered = np.zeros(len(y), dtype=bool)
    for tree, mask in zip(self.trees, self.in_bag):
        oob = ~mask
        if not oob.any():
            continue
        covered |= oob
        scores.append(np.mean(tree.predict(X[oob]) == y[oob]))
    return float(np.mean(scores)), float(covered.mean())
