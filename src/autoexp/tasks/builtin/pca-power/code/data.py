"""The 8 x 8 handwritten digits (UCI optdigits test set as shipped with scikit-learn)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits


def load_pixels() -> np.ndarray:
    """The 1797 x 64 matrix of pixel intensities (0..16) as float64, one image per row."""
    return np.asarray(load_digits().data, dtype=np.float64)


def centre(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Subtract the column means; returns the centred matrix and the means."""
    mean = X.mean(axis=0)
    return X - mean, mean
