# mutant-of: als.py::ALS.fit
# bug: Jacobi-style sweep: the item update uses the user factors of the previous sweep
def fit(self, train):
    resid = train.values - self.baseline.raw(train.users, train.items)
    rng = np.random.default_rng(self.seed)
    Q = self.init_scale * rng.standard_normal((train.n_items, self.rank))
    by_user = group_by(train.users, train.n_users)
    by_item = group_by(train.items, train.n_items)
    self.history = []
    P = update_factors(by_user, train.items, resid, Q, self.reg)
    for _ in range(self.n_iter):
        P_new = update_factors(by_user, train.items, resid, Q, self.reg)
        Q = update_factors(by_item, train.users, resid, P, self.reg)
        P = P_new
        self.history.append(regularized_objective(resid, train.users, train.items, P, Q, self.reg))
    self.P, self.Q = P, Q
    return self
