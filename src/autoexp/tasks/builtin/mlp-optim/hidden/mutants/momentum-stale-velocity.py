# mutant-of: optim.py::Momentum.step
# bug: moves the parameters with the old velocity before updating it
def step(self, params, grads):
    for p, g, v in zip(params, grads, self.velocity, strict=True):
        p += v
        v *= self.mu
        v -= self.lr * g
