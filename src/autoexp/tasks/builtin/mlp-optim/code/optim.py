"""First-order optimisers that update a list of parameter arrays in place."""

from __future__ import annotations

import numpy as np


class SGD:
    """Plain stochastic gradient descent: p <- p - lr * g."""

    def __init__(self, params: list[np.ndarray], lr: float) -> None:
        self.lr = lr

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for p, g in zip(params, grads, strict=True):
            p -= self.lr * g


class Momentum:
    """SGD with heavy-ball momentum."""

    def __init__(self, params: list[np.ndarray], lr: float, mu: float = 0.9) -> None:
        self.lr = lr
        self.mu = mu
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for p, g, v in zip(params, grads, self.velocity, strict=True):
            v *= self.mu
            v -= self.lr * g
            p += v


class Adam:
    """Adam with bias-corrected first and second moment estimates."""

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.t += 1
        bc1 = 1.0 - self.beta1 ** self.t
        bc2 = 1.0 - self.beta2 ** self.t
        for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            m_hat = m / bc1
            v_hat = v / bc2
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def make_optimizer(name: str, params: list[np.ndarray], **kwargs: float) -> SGD | Momentum | Adam:
    """Build an optimiser by name: 'sgd', 'momentum' or 'adam'."""
    table = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
    if name not in table:
        raise ValueError(f"unknown optimiser {name!r}; choose from {sorted(table)}")
    return table[name](params, **kwargs)
