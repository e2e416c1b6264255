# mutant-of: losses.py::HuberLoss.negative_gradient
# bug: takes the quantile of the signed residuals instead of their absolute values
def negative_gradient(self, y, f):
    r = y - f
    self.delta = float(np.quantile(r, self.alpha))
    return np.clip(r, -self.delta, self.delta)
