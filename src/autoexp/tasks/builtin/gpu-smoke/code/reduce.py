"""Host-side reduction of the device's output to the two reported numbers."""

from __future__ import annotations

MODULUS = 1_000_000_007


def checksum(values: list[int]) -> int:
    """Position-weighted checksum: sum over k of (k + 1) * values[k], modulo 1_000_000_007."""
    total = 0
    for k, v in enumerate(values):
        total = (total + (k + 1) * v) % MODULUS
    return total


def bit_count(values: list[int]) -> int:
    """Total number of one bits over all words."""
    return sum(bin(v).count("1") for v in values)
