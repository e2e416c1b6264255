"""A fully connected ReLU network stored as a flat list of arrays.

Parameters are kept as `[W1, b1, W2, b2, ..., WL, bL]`, where layer l maps its input of
width `sizes[l-1]` to `sizes[l]` through `a @ W + b`, so `W` has shape (fan_in, fan_out)
and `b` has shape (fan_out,). Hidden layers use ReLU; the last layer is linear and
produces the class logits.
"""

from __future__ import annotations

import numpy as np


def init_params(sizes: list[int], rng: np.random.Generator) -> list[np.ndarray]:
    """He-normal weights and zero biases for a network with layer widths `sizes`.

    For each consecutive pair (fan_in, fan_out) one draw
    `rng.standard_normal((fan_in, fan_out)) * sqrt(2 / fan_in)` is made, in layer order.
    """
    params: list[np.ndarray] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        W = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        params.append(W)
        params.append(np.zeros(fan_out))
    return params


def n_layers(params: list[np.ndarray]) -> int:
    """Number of affine layers in a flat parameter list."""
    return len(params) // 2


def forward(params: list[np.ndarray], X: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    a = X
    cache = []
    L = n_layers(params)
    for layer in range(L):
        W = params[2 * layer]
        b = params[2 * layer + 1]
        cache.append(a)
        z = a @ W + b
        if layer < L - 1:
            a = np.maximum(z, 0.0)
        else:
            a = z
    return a, cache


def backward(
    params: list[np.ndarray], cache: list[np.ndarray], dlogits: np.ndarray
) -> list[np.ndarray]:
    L = n_layers(params)
    grads: list[np.ndarray] = [np.empty(0)] * len(params)
    delta = dlogits
    for layer in range(L - 1, -1, -1):
        a_in = cache[layer]
        W = params[2 * layer]
        grads[2 * layer] = a_in.T @ delta
        grads[2 * layer + 1] = delta.sum(axis=0)
        if layer > 0:
            delta = (delta @ W.T) * (a_in > 0.0)
    return grads


def predict(params: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """Predicted class of each row of X (arg-max of the logits)."""
    logits, _ = forward(params, X)
    return np.argmax(logits, axis=1)


def n_parameters(params: list[np.ndarray]) -> int:
    """Total number of scalar parameters."""
    return int(sum(p.size for p in params))
