# mutant-of: stats.py::Scaler.fit
# bug: uses the biased standard deviation
def fit(self, xs):
    self.mu = mean(xs)
    self.sigma = float(np.sqrt(variance(xs, ddof=0)))
    return self
