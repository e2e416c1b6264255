"""Comparing two values in the runner's safe encoding (pure; runs on the host)."""

from __future__ import annotations

import json
import math
from typing import Any

from autoexp.difftest._sketch import moment_bounds, moments, positions, tree_sketch

_MAX_DEPTH = 200


def _canonical(x: Any) -> str:
    return json.dumps(x, sort_keys=True, separators=(",", ":"))


def _number(x: Any) -> float | int | None:
    """The number an encoded leaf stands for (None: not a number)."""
    if isinstance(x, bool):
        return None
    if isinstance(x, int | float):
        return x
    if isinstance(x, dict) and len(x) == 1 and "__float__" in x:
        v = x["__float__"]
        return (
            {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(v)
            if isinstance(v, str)
            else None
        )
    return None


def _scalar(x: Any) -> Any:
    """The element of a 0-d array encoding, else `x`."""
    if _tag(x) == "__ndarray__":
        a = x["__ndarray__"]
        a = a if isinstance(a, dict) else {}
        data = a.get("data")
        if a.get("shape") == [] and isinstance(data, list) and len(data) == 1:
            return data[0]
    return x


def _tag(x: Any) -> str | None:
    if isinstance(x, dict) and x:
        first = next(iter(x))
        if isinstance(first, str) and first.startswith("__"):
            return first
    return None


def _describe(x: Any) -> str:
    if x is None or isinstance(x, bool | str):
        return repr(x)[:60]
    n = _number(x)
    if n is not None:
        return repr(n)
    if isinstance(x, list):
        return f"list of {len(x)}"
    tag = _tag(x)
    if tag == "__ndarray__":
        a = x[tag]
        return f"ndarray {a.get('dtype')} {tuple(a.get('shape', []))}"
    if tag == "__object__":
        return f"object {x.get('__object__')}"
    if tag == "__unencodable__":
        return f"<{x[tag]}>"
    if tag:
        return tag.strip("_")
    return type(x).__name__


def _numbers_equal(e: float | int, g: float | int, rtol: float, atol: float) -> bool:
    if isinstance(e, int) and isinstance(g, int):
        return e == g
    e, g = float(e), float(g)
    if math.isnan(e) or math.isnan(g):
        return math.isnan(e) and math.isnan(g)
    if math.isinf(e) or math.isinf(g):
        return e == g
    return abs(g - e) <= atol + rtol * abs(e)


class _Mismatch(Exception):
    pass


class _Comparer:
    def __init__(self, rtol: float, atol: float) -> None:
        self.rtol = rtol
        self.atol = atol

    def fail(self, path: str, text: str) -> None:
        raise _Mismatch(f"{path or '<value>'}: {text}")

    def cmp(self, e: Any, g: Any, path: str, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            self.fail(path, "nested too deeply to compare")
        ne, ng = _number(e), _number(g)
        if (ne is None) != (ng is None):  # a 0-d array may stand for a number
            e, g = _scalar(e), _scalar(g)
            ne, ng = _number(e), _number(g)
        if ne is not None or ng is not None:
            if ne is None or ng is None:
                self.fail(path, f"expected {_describe(e)}, got {_describe(g)}")
            elif not _numbers_equal(ne, ng, self.rtol, self.atol):
                self.fail(path, f"{ng!r} != expected {ne!r}")
            return
        if e is None or isinstance(e, bool | str):
            if type(g) is not type(e) or g != e:
                self.fail(path, f"expected {_describe(e)}, got {_describe(g)}")
            return
        if isinstance(e, list) or _tag(e) == "__tuple__":
            self.sequence(e, g, path, depth)
            return
        if _tag(e) == "__treesketch__" and _tag(g) != "__treesketch__":
            self.tag_treesketch(e, g, path, depth)
            return
        if not isinstance(e, dict) or not isinstance(g, dict):
            self.fail(path, f"expected {_describe(e)}, got {_describe(g)}")
        tag = _tag(e)
        if tag is None:  # a plain record such as {"return": ..., "after": ...}
            self.mapping(e, g, path, depth)
            return
        if tag == "__sketch__" and _tag(g) == "__ndarray__":
            self.tag_sketch(e, g, path, depth)
            return
        if _tag(g) != tag:
            self.fail(path, f"expected {_describe(e)}, got {_describe(g)}")
        getattr(self, "tag_" + tag.strip("_"), self.tag_exact)(e, g, path, depth)

    def sequence(self, e: Any, g: Any, path: str, depth: int) -> None:
        ev = e if isinstance(e, list) else e["__tuple__"]
        if isinstance(g, list):
            gv = g
        elif _tag(g) == "__tuple__" and isinstance(g["__tuple__"], list):
            gv = g["__tuple__"]
        else:
            self.fail(path, f"expected a sequence of {len(ev)}, got {_describe(g)}")
        if len(ev) != len(gv):
            self.fail(path, f"length {len(gv)} != expected {len(ev)}")
        for i, (a, b) in enumerate(zip(ev, gv, strict=True)):
            self.cmp(a, b, f"{path}[{i}]", depth + 1)

    def mapping(self, e: dict, g: Any, path: str, depth: int, key: str = "") -> None:
        if not isinstance(g, dict):
            self.fail(path, f"expected a mapping, got {_describe(g)}")
        missing = [str(k) for k in e if k not in g]
        extra = [str(k) for k in g if k not in e]
        if missing:
            self.fail(path, f"missing {sorted(missing)[:5]}")
        if extra:
            self.fail(path, f"unexpected {sorted(extra)[:5]}")
        for k in e:
            plain = f"{path}.{k}" if path else str(k)
            sub = path + key.format(k) if key else plain
            self.cmp(e[k], g[k], sub, depth + 1)

    def tag_dict(self, e: Any, g: Any, path: str, depth: int) -> None:
        self.mapping(e["__dict__"], g["__dict__"], path, depth, "[{!r}]")

    def tag_pairs(self, e: Any, g: Any, path: str, depth: int) -> None:
        ep, gp = e["__pairs__"], g["__pairs__"]
        if not isinstance(gp, list) or not all(isinstance(p, list) and len(p) == 2 for p in gp):
            self.fail(path, "malformed mapping")
        em = {_canonical(k): v for k, v in ep}
        gm = {_canonical(k): v for k, v in gp}
        self.mapping(em, gm, path, depth, "[{}]")

    def tag_set(self, e: Any, g: Any, path: str, depth: int) -> None:
        ev, gv = e["__set__"], g["__set__"]
        if not isinstance(gv, list) or len(ev) != len(gv):
            self.fail(
                path, f"set of {len(gv) if isinstance(gv, list) else '?'} != expected {len(ev)}"
            )
        for i, (a, b) in enumerate(zip(ev, gv, strict=True)):
            self.cmp(a, b, f"{path}{{{i}}}", depth + 1)

    def tag_object(self, e: Any, g: Any, path: str, depth: int) -> None:
        if e["__object__"] != g.get("__object__"):
            self.fail(path, f"expected object {e['__object__']}, got {g.get('__object__')}")
        self.mapping(e.get("attrs", {}), g.get("attrs"), path, depth)

    def tag_unencodable(self, e: Any, g: Any, path: str, depth: int) -> None:
        if e["__unencodable__"] != g["__unencodable__"]:
            self.fail(path, f"expected <{e['__unencodable__']}>, got <{g['__unencodable__']}>")

    def tag_complex(self, e: Any, g: Any, path: str, depth: int) -> None:
        self.sequence(e["__complex__"], g["__complex__"], path, depth)

    def tag_generator(self, e: Any, g: Any, path: str, depth: int) -> None:
        self.cmp(e["__generator__"], g["__generator__"], path + "<generator state>", depth + 1)

    def tag_bitgenerator(self, e: Any, g: Any, path: str, depth: int) -> None:
        self.cmp(e["__bitgenerator__"], g["__bitgenerator__"], path + "<state>", depth + 1)

    def tag_exact(self, e: Any, g: Any, path: str, depth: int) -> None:
        if _canonical(e) != _canonical(g):
            self.fail(
                path, f"expected {_describe(e)} {_canonical(e)[:80]}, got {_canonical(g)[:80]}"
            )

    def array_header(self, ea: dict, ga: Any, path: str) -> None:
        if not isinstance(ga, dict) or not isinstance(ga.get("data"), list):
            self.fail(path, "malformed array")
        if ea.get("shape") != ga.get("shape"):
            got_shape = tuple(ga.get("shape") or [])
            self.fail(path, f"shape {got_shape} != expected {tuple(ea.get('shape') or [])}")
        ek, gk = ea.get("kind"), ga.get("kind")
        numeric = set("iuf")
        if ek != gk and not (ek in numeric and gk in numeric):
            self.fail(path, f"dtype {ga.get('dtype')} != expected {ea.get('dtype')}")

    def elements(
        self, ed: list, gd: list, where: list[int], shape: list, path: str, depth: int
    ) -> None:
        bad, first = 0, None
        for i, a, b in zip(where, ed, gd, strict=True):
            try:
                self.cmp(a, b, "", depth + 1)
            except _Mismatch as m:
                bad += 1
                if first is None:
                    first = (i, str(m).removeprefix("<value>: "))
        if first is not None:
            at = _unravel(first[0], shape)
            self.fail(path, f"element {at}: {first[1]} ({bad} of {len(ed)} compared differ)")

    def tag_ndarray(self, e: Any, g: Any, path: str, depth: int) -> None:
        ea, ga = e["__ndarray__"], g["__ndarray__"]
        self.array_header(ea, ga, path)
        ed, gd = ea["data"], ga["data"]
        if len(ed) != len(gd):
            self.fail(path, f"{len(gd)} elements != expected {len(ed)}")
        self.elements(ed, gd, list(range(len(ed))), ea["shape"], path, depth)

    def tag_sketch(self, e: Any, g: Any, path: str, depth: int) -> None:
        es = e["__sketch__"]
        if _tag(g) == "__sketch__":  # two summaries: compare them as they are
            self.tag_exact(e, g, path, depth)
            return
        ga = g["__ndarray__"]
        self.array_header(es, ga, path)
        gd = ga["data"]
        if len(gd) != es["size"]:
            self.fail(path, f"{len(gd)} elements != expected {es['size']}")
        where = positions(len(gd))
        self.elements(es["values"], [gd[i] for i in where], where, es["shape"], path, depth)
        em, kind = es["moments"], es["kind"]
        if kind in "biu":
            ints = [_integral(v) for v in gd]
            gm = None if any(v is None for v in ints) else moments(ints, kind)
            if gm is None:
                self.fail(path, "expected integers")
            for key in ("sum", "sq", "wsum"):
                if gm[key] != em[key]:
                    self.fail(path, f"{key} of elements {gm[key]!r} != expected {em[key]!r}")
            return
        gm = moments(gd, "f")
        if gm is None:
            self.fail(path, "not a numeric array")
        for key in ("nan", "posinf", "neginf"):
            if gm[key] != em[key]:
                self.fail(path, f"{gm[key]} {key} elements != expected {em[key]}")
        for key, bound in moment_bounds(em, self.rtol, self.atol).items():
            if not abs(gm[key] - em[key]) <= bound:
                self.fail(path, f"{key} of elements {gm[key]!r} != expected {em[key]!r}")

    def float_summary(
        self, es: dict, size: int, values: list, moms: dict | None, path: str
    ) -> None:
        """Floats sketched in `es` against another side's (sampled values, moments)."""
        if size != es["size"]:
            self.fail(path, f"{size} numbers != expected {es['size']}")
        where = positions(size)
        self.elements(es["values"], values, where, [size], path + "<floats>", 0)
        em = es["moments"]
        if moms is None or em is None:
            self.fail(path, "not comparable")
        for key, bound in moment_bounds(em, self.rtol, self.atol).items():
            if not abs(moms[key] - em[key]) <= bound:
                self.fail(path, f"{key} of its numbers {moms[key]!r} != expected {em[key]!r}")

    def tag_treesketch(self, e: Any, g: Any, path: str, depth: int) -> None:
        es = e["__treesketch__"]
        gs = tree_sketch(g)
        if gs["skeleton"] != es["skeleton"]:
            self.fail(path, "differs in structure, sizes or exact values (ints, strings, shapes)")
        self.float_summary(es, gs["size"], gs["values"], gs["moments"], path)


def _integral(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _unravel(i: int, shape: list[int]) -> list[int]:
    out = []
    for n in reversed(shape):
        n = max(int(n), 1)
        out.append(i % n)
        i //= n
    return list(reversed(out))


def compare(expected: Any, got: Any, rtol: float, atol: float) -> str | None:
    """None when `got` equals `expected` (both in the runner's safe encoding), else where and
    how they first differ, e.g. `return[2].attrs.sigma: 2.01 != expected 2.0`.

    Numbers match when |got - expected| <= atol + rtol * |expected| (NaN equals NaN, infinities
    must be equal; two ints must be equal; an int may stand for an equal float); bools,
    strings and None match exactly; arrays need the same shape and dtype kind (integer and
    float kinds may stand for each other); lists and tuples match element by element; dicts and
    objects need the same keys / class and attributes; unencodable leaves match by type name.
    An expected {"__sketch__": ...} (a large array's summary) matches an array whose elements
    at the sketch's positions match and whose moments are within the implied tolerance.
    """
    try:
        _Comparer(rtol, atol).cmp(expected, got, "")
    except _Mismatch as m:
        return str(m)
    except (RecursionError, TypeError, KeyError, AttributeError, ValueError) as e:
        return f"cannot compare: {type(e).__name__}"
    return None
