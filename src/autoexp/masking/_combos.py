"""Draw the combos (sets of functions masked together) for a given size n."""

from __future__ import annotations

import itertools
import math
import random

_ENUMERATE_LIMIT = 200_000
"""Up to this many possible combos they are all listed and shuffled; above it, drawn one by
one (rejecting repeats)."""


def _index_below(rng: random.Random, n: int) -> int:
    # Only `random()` is guaranteed to give the same sequence on every Python version.
    return min(int(rng.random() * n), n - 1)


def draw_combos(function_ids: list[str], n: int, k: int | None, seed: int) -> list[tuple[str, ...]]:
    """Combos of `n` of the functions, each a sorted tuple.

    All C(m, n) combos, in sorted order, when there are at most `k` (or `k` is None); else `k`
    distinct combos drawn from a `random.Random(seed)`. The draw depends only on the set of
    ids, `n` and `seed`, and a larger `k` extends the list drawn with a smaller one. `n=0`
    gives `[()]`; `n` larger than the number of functions m is a ValueError.
    """
    ids = sorted(set(function_ids))
    if len(ids) != len(function_ids):
        raise ValueError("function ids must be distinct")
    m = len(ids)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n > m:
        raise ValueError(f"n={n} is larger than the number of functions to draw from (m={m})")
    if k is not None and k < 0:
        raise ValueError(f"k must be >= 0 or None, got {k}")
    total = math.comb(m, n)
    if k is None or total <= k:
        return list(itertools.combinations(ids, n))
    rng = random.Random(seed)
    if total <= _ENUMERATE_LIMIT:
        combos = list(itertools.combinations(ids, n))
        # Fisher-Yates from the front: the first k places do not depend on k.
        for i in range(k):
            j = i + _index_below(rng, total - i)
            combos[i], combos[j] = combos[j], combos[i]
        return combos[:k]
    drawn: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    while len(drawn) < k:
        pool = list(range(m))
        for i in range(n):
            j = i + _index_below(rng, m - i)
            pool[i], pool[j] = pool[j], pool[i]
        combo = tuple(ids[p] for p in sorted(pool[:n]))
        if combo not in seen:
            seen.add(combo)
            drawn.append(combo)
    return drawn
