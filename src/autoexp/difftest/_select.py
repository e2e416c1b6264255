"""Which calls to record: deterministic, spread over the calls and over the experiments."""

from __future__ import annotations


def spread(count: int, n: int) -> list[int]:
    """Up to `n` of the call indices 0..count-1 in priority order: the first, the last, then
    ever finer points evenly between (the middle, the quarters, the eighths, ...)."""
    n = min(n, count)
    if n <= 0:
        return []
    out: list[int] = []
    seen: set[int] = set()

    def add(i: int) -> None:
        if i not in seen and len(out) < n:
            seen.add(i)
            out.append(i)

    add(0)
    add(count - 1)
    level = 2
    while len(out) < n:
        for j in range(1, level, 2):
            add(round(j * (count - 1) / level))
        if level > 2 * count:  # every index has been offered
            for i in range(count):
                add(i)
        level *= 2
    return out


def priority(counts: dict[str, int], n: int) -> list[tuple[str, int]]:
    """Up to `n` (experiment, call index) pairs: round robin over the experiments (in the
    order of `counts`), each contributing its calls in `spread` order."""
    lists = {exp: spread(c, n) for exp, c in counts.items() if c > 0}
    out: list[tuple[str, int]] = []
    depth = 0
    while len(out) < n and any(depth < len(v) for v in lists.values()):
        for exp, idx in lists.items():
            if depth < len(idx) and len(out) < n:
                out.append((exp, idx[depth]))
        depth += 1
    return out
