# mutant-of: forest.py::RandomForest.oob_score
# bug: lets every tree vote on every training row, in-bag rows included
def oob_score(self, X, y):
    votes = self.votes(X)
    covered = votes.sum(axis=1) > 0
    pred = majority_vote(votes[covered])
    return float(np.mean(pred == y[covered])), float(covered.mean())
