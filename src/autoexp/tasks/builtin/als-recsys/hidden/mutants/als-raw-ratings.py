# mutant-of: als.py::ALS.fit
# bug: factorises the ratings minus the global mean only, not the baseline residuals
def fit(self, train):
    resid = train.values - self.baseline.mu
    rng = np.random.default_rng(self.seed)
    Q = self.init_scale * rng.standard_normal((train.n_items, self.rank))
    by_user = group_by(train.users, train.n_users)
    by_item = group_by(train.items, train.n_items)
    self.history = []
    P = None
    for _ in range(self.n_iter):
        P = update_factors(by_user, train.items, resid, Q, self.reg)
        Q = update_factors(by_item, train.users, resid, P, self.reg)
        self.history.append(regularized_objective(resid, train.users, train.items, P, Q, self.reg))
    self.P, self.Q = P, Q
    return self
