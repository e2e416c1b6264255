# mutant-of: optim.py::Adam.step
# bug: rebinds the loop variables instead of updating the stored moment arrays, so the moments never accumulate
def step(self, params, grads):
    self.t += 1
    bc1 = 1.0 - self.beta1 ** self.t
    bc2 = 1.0 - self.beta2 ** self.t
    for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
        m = self.beta1 * m + (1.0 - self.beta1) * g
        v = self.beta2 * v + (1.0 - self.beta2) * g * g
        p -= self.lr * (m / bc1) / (np.sqrt(v / bc2) + self.eps)
