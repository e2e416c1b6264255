# mutant-of: als.py::ALS.fit
# bug: initialises the USER factors randomly and updates items first
def fit(self, train):
    resid = train.values - self.baseline.raw(train.users, train.items)
    rng = np.random.default_rng(self.seed)
    P = self.init_scale * rng.standard_normal((train.n_users, self.rank))
    by_user = group_by(train.users, train.n_users)
    by_item = group_by(train.items, train.n_items)
    self.history = []
    Q = None
    for _ in range(self.n_iter):
        Q = update_factors(by_item, train.users, resid, P, self.reg)
        P = update_factors(by_user, train.items, resid, Q, self.reg)
        self.history.append(regularized_objective(resid, train.users, train.items, P, Q, self.reg))
    self.P, self.Q = P, Q
    return self
