"""Monte Carlo estimates with the global (unseeded) random generator."""

import random


def estimate_pi(n: int) -> float:
    """4 times the share of n uniform points of the unit square inside the quarter disc."""
    inside = 0
    for _ in range(n):
        x, y = random.random(), random.random()
        if x * x + y * y <= 1.0:
            inside += 1
    return 4.0 * inside / n
