"""Summaries of large arrays, so that recorded expected outputs stay small.

An encoded array with more than SKETCH_MIN elements is stored in the index as a sketch: its
dtype, kind and shape, SKETCH_PICKS elements at fixed, well spread positions, the counts of
NaN and infinite elements, and moments of the finite ones (sum, sum of |x|, sum of x^2 and a
weighted sum that changes when elements move). A sketch is compared with the other side's full
array by sketching that array the same way; the moments' tolerances follow from the
per-element tolerance (see `moment_bounds`). A part of an expected output that is still large
(e.g. a list of many fitted trees) is kept as a tree sketch: a digest of all but its floats,
and the same summary of its floats (see `shrink`).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np

SKETCH_MIN = 1024
"""Arrays with more elements than this are sketched."""
SKETCH_PICKS = 256
"""Elements kept in a sketch."""
_STRIDE = 1_000_003  # a prime: i * _STRIDE mod n visits distinct, scattered positions


def positions(n: int, k: int = SKETCH_PICKS) -> list[int]:
    """The flat indices a sketch of `n` elements keeps: the first, the last and scattered ones."""
    if n <= k:
        return list(range(n))
    picked = {0, n - 1}
    i = 1
    while len(picked) < k:
        picked.add((i * _STRIDE) % n)
        i += 1
    return sorted(picked)


def weight(i: int) -> float:
    """Weight of flat index `i` in the weighted sum (between 0.5 and 1.5)."""
    return 0.5 + ((i * 7919) % 101) / 100.0


def _as_float(x: Any) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, int | float):
        return float(x)
    if isinstance(x, dict) and isinstance(x.get("__float__"), str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(x["__float__"])
    return None


def _weights(n: int) -> np.ndarray:
    """`weight(i)` for i in 0..n-1."""
    return 0.5 + ((np.arange(n, dtype=np.int64) * 7919) % 101) / 100.0


def _floats(data: list[Any]) -> np.ndarray | None:
    """The flat data as float64 (NaN and infinities decoded), None when an element is not a
    number (a bool, a string, ...)."""
    types = set(map(type, data))
    if types <= {float, int}:
        return np.array(data, dtype=np.float64)
    if not types <= {float, int, dict}:
        return None
    out = list(data)
    for i, t in enumerate(map(type, data)):
        if t is dict:
            out[i] = _as_float(data[i])
            if out[i] is None:
                return None
    return np.array(out, dtype=np.float64)


def moments(data: list[Any], kind: str) -> dict[str, Any] | None:
    """Counts and moments of an array's flat data (None: not a numeric array), computed with
    numpy (an array of 10^6 elements takes milliseconds). Float sums are numpy's pairwise
    sums: their rounding error (about log2(n) ulps of the sum of |x|) is far below the slack
    `moment_bounds` allows for it."""
    if kind in "biu":
        if set(map(type, data)) - {int, bool}:  # a bool array's elements are bools
            return None
        w = _weights(len(data))
        return {
            "sum": sum(data),
            "sq": sum(v * v for v in data),
            # compared exactly with a recorded value: correctly rounded, as it always was
            "wsum": math.fsum((w * np.array(data, dtype=np.float64)).tolist()),
        }
    if kind != "f":
        return None
    x = _floats(data)
    if x is None:
        return None
    nan = np.isnan(x)
    inf = np.isinf(x)
    keep = ~(nan | inf)
    finite = x[keep]
    w = _weights(len(x))[keep]
    absolute = np.abs(finite)
    return {
        "nan": int(nan.sum()),
        "posinf": int((inf & (x > 0)).sum()),
        "neginf": int((inf & (x < 0)).sum()),
        "finite": int(finite.size),
        "sum": float(finite.sum()),
        "abs": float(absolute.sum()),
        "sq": float((finite * finite).sum()),
        "wsum": float((w * finite).sum()),
        "wabs": float((w * absolute).sum()),
        "w": float(w.sum()),
    }


def moment_bounds(m: dict[str, Any], rtol: float, atol: float) -> dict[str, float]:
    """How far each float moment of an array may move when every finite element x may move by
    atol + rtol * |x| (with a little slack for rounding)."""
    n, sa, s2 = m["finite"], m["abs"], m["sq"]
    eps = 1e-12
    return {
        "sum": atol * n + rtol * sa + eps * sa,
        "abs": atol * n + rtol * sa + eps * sa,
        "wsum": atol * m["w"] + rtol * m["wabs"] + eps * m["wabs"],
        "sq": atol * atol * n
        + 2 * atol * (1 + rtol) * sa
        + (2 * rtol + rtol * rtol) * s2
        + eps * s2,
    }


def sketch_array(a: dict[str, Any]) -> dict[str, Any] | None:
    """The sketch of an encoded array's body ({dtype, kind, shape, data}), None when it is
    small or not numeric."""
    data = a.get("data")
    kind = a.get("kind")
    if not isinstance(data, list) or len(data) <= SKETCH_MIN or not isinstance(kind, str):
        return None
    m = moments(data, kind)
    if m is None:
        return None
    return {
        "dtype": a.get("dtype"),
        "kind": kind,
        "shape": a.get("shape"),
        "size": len(data),
        "values": [data[i] for i in positions(len(data))],
        "moments": m,
    }


def sketch(encoded: Any) -> Any:
    """`encoded` with every large numeric array replaced by {"__sketch__": its sketch}."""
    if isinstance(encoded, list):
        return [sketch(v) for v in encoded]
    if not isinstance(encoded, dict):
        return encoded
    if "__ndarray__" in encoded and isinstance(encoded["__ndarray__"], dict):
        s = sketch_array(encoded["__ndarray__"])
        return encoded if s is None else {"__sketch__": s}
    return {k: sketch(v) for k, v in encoded.items()}


TREE_LIMIT = 32 * 1024
"""A part of an expected output (the return value, one argument's after-state) whose
encoding is still larger than this after its arrays are sketched is kept as a tree sketch."""


def _skeleton(x: Any, floats: list[float]) -> Any:
    """`x` with every finite float replaced by "#f" (appended to `floats`, in sorted-key
    order)."""
    if isinstance(x, float) and math.isfinite(x):
        floats.append(x)
        return "#f"
    if isinstance(x, list):
        return [_skeleton(v, floats) for v in x]
    if isinstance(x, dict):
        return {k: _skeleton(x[k], floats) for k in sorted(x)}
    return x


def tree_sketch(encoded: Any) -> dict[str, Any]:
    """A summary of any encoded value: a digest of everything but its finite floats
    (structure, sizes, ints, strings, NaNs exactly), and a sketch of the floats."""
    floats: list[float] = []
    skeleton = _skeleton(encoded, floats)
    text = json.dumps(skeleton, sort_keys=True, separators=(",", ":"))
    return {
        "skeleton": hashlib.sha256(text.encode()).hexdigest()[:32],
        "size": len(floats),
        "values": [floats[i] for i in positions(len(floats))],
        "moments": moments(floats, "f"),
    }


def shrink(part: Any) -> Any:
    """A part of an expected output as it is stored: large arrays sketched, and the whole part
    tree-sketched ({"__treesketch__": ...}) if it is still larger than TREE_LIMIT."""
    small = sketch(part)
    if len(json.dumps(small, separators=(",", ":"))) <= TREE_LIMIT:
        return small
    return {"__treesketch__": tree_sketch(part)}
