"""Mini-batch training loop and evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from data import minibatches
from losses import accuracy, cross_entropy
from mlp import backward, forward, predict


@dataclass
class History:
    """Per-epoch record of a training run."""

    train_loss: list[float] = field(default_factory=list)
    """Full-batch training loss measured after each epoch."""
    steps: int = 0
    """Number of optimiser steps taken."""


def full_loss(params: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy of the network on the whole of (X, y)."""
    logits, _ = forward(params, X)
    loss, _ = cross_entropy(logits, y)
    return loss


def train(
    params: list[np.ndarray],
    optimizer,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int,
    batch_size: int,
    rng: np.random.Generator,
) -> History:
    """Train `params` in place for `epochs` passes of shuffled mini-batches."""
    hist = History()
    for _ in range(epochs):
        for idx in minibatches(len(y), batch_size, rng):
            logits, cache = forward(params, X[idx])
            _, dlogits = cross_entropy(logits, y[idx])
            grads = backward(params, cache, dlogits)
            optimizer.step(params, grads)
            hist.steps += 1
        hist.train_loss.append(full_loss(params, X, y))
    return hist


def evaluate(params: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Loss and accuracy of the network on (X, y)."""
    return {"loss": full_loss(params, X, y), "accuracy": accuracy(predict(params, X), y)}
