# mutant-of: optim.py::Momentum.step
# bug: uses an exponential moving average of the gradients (dampening 1 - mu) as the velocity
def step(self, params, grads):
    for p, g, v in zip(params, grads, self.velocity, strict=True):
        v *= self.mu
        v += (1.0 - self.mu) * g
        p -= self.lr * v
