# mutant-of: baseline.py::BiasBaseline.fit
# bug: estimates user and item biases independently from r - mu (never subtracts the other bias)
def fit(self, train):
    r = train.values
    self.mu = float(r.mean())
    dev = r - self.mu
    n_u = np.bincount(train.users, minlength=train.n_users)
    n_i = np.bincount(train.items, minlength=train.n_items)
    self.user_bias = np.bincount(train.users, weights=dev, minlength=train.n_users) / (self.reg + n_u)
    self.item_bias = np.bincount(train.items, weights=dev, minlength=train.n_items) / (self.reg + n_i)
    return self
