"""Error measures on held-out ratings."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from data import Ratings


class Predictor(Protocol):
    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray: ...


def rmse(model: Predictor, ratings: Ratings) -> float:
    """Root mean squared error of the model's predictions on the given entries."""
    err = model.predict(ratings.users, ratings.items) - ratings.values
    return float(np.sqrt(np.mean(err**2)))


def mae(model: Predictor, ratings: Ratings) -> float:
    """Mean absolute error of the model's predictions on the given entries."""
    err = model.predict(ratings.users, ratings.items) - ratings.values
    return float(np.mean(np.abs(err)))
