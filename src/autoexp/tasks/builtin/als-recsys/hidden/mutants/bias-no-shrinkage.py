# mutant-of: baseline.py::BiasBaseline.fit
# bug: ignores the regulariser (plain averages of the residuals)
def fit(self, train):
    r = train.values
    self.mu = float(r.mean())
    bu = np.zeros(train.n_users)
    bi = np.zeros(train.n_items)
    by_user = group_by(train.users, train.n_users)
    by_item = group_by(train.items, train.n_items)
    for _ in range(self.n_iter):
        for u, pos in enumerate(by_user):
            if len(pos):
                bu[u] = np.mean(r[pos] - self.mu - bi[train.items[pos]])
        for i, pos in enumerate(by_item):
            if len(pos):
                bi[i] = np.mean(r[pos] - self.mu - bu[train.users[pos]])
    self.user_bias = bu
    self.item_bias = bi
    return self
