"""Host-side preparation: the input sequence, its byte layout and the launch geometry."""

from __future__ import annotations

import struct

LCG_MULTIPLIER = 1664525
LCG_INCREMENT = 1013904223
MASK32 = 0xFFFFFFFF


def make_input(n: int, seed: int) -> list[int]:
    """The n input words: x_0 = seed, x_{k+1} = (1664525 * x_k + 1013904223) mod 2**32,
    returning x_1 .. x_n (the seed itself is not part of the input)."""
    values = []
    state = seed & MASK32
    for _ in range(n):
        state = (LCG_MULTIPLIER * state + LCG_INCREMENT) & MASK32
        values.append(state)
    return values


def pack_u32(values: list[int]) -> bytes:
    """The words as the device reads them: 4 bytes each, little-endian, unsigned."""
    return struct.pack(f"<{len(values)}I", *values)


def unpack_u32(data: bytes) -> list[int]:
    """Inverse of pack_u32."""
    return list(struct.unpack(f"<{len(data) // 4}I", data))


def grid_size(n: int, block: int) -> int:
    """Number of thread blocks of `block` threads that cover all n elements: the smallest g
    with g * block >= n."""
    return (n + block - 1) // block
