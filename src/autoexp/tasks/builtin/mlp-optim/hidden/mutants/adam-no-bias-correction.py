# mutant-of: optim.py::Adam.step
# bug: leaves out the bias correction of both moment estimates
def step(self, params, grads):
    self.t += 1
    for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g
        p -= self.lr * m / (np.sqrt(v) + self.eps)
