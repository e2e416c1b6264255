"""The runner's safe encoding and the host's comparison (pure, no sandbox)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

from autoexp.difftest import compare, encode
from autoexp.difftest._runner import is_mutable, resolve
from autoexp.difftest._select import priority, spread
from autoexp.difftest._sketch import SKETCH_MIN, shrink


@dataclass
class Fitted:
    mu: float
    sigma: np.ndarray
    history: list = field(default_factory=list)


class Plain:
    def __init__(self) -> None:
        self.w = np.arange(3.0)
        self.meta = {"k": 3, 7: "seven"}

    def method(self, x):
        return x

    @staticmethod
    def stat(x):
        return x + 1

    @classmethod
    def klass(cls, x):
        return cls.__name__, x


def _wire(value):
    """What the host gets: the encoding, through strict JSON."""
    return json.loads(json.dumps(encode(value), allow_nan=False))


def test_round_trip_of_nested_values_with_nan_inf_and_arrays():
    value = {
        "nan": math.nan,
        "inf": -math.inf,
        "arr": np.array([[1.0, np.nan], [np.inf, 2.5]]),
        "ints": np.arange(4, dtype=np.int32),
        "tuple": (1, "a", None, True),
        "set": {3, 1, 2},
        "keys": {(1, 2): "pair", 5: [np.float64(0.5), np.int64(7)]},
        "obj": Fitted(1.5, np.ones(2), [Plain()]),
        "rng": np.random.default_rng(3),
        "scalar0d": np.array(2.0),
        "fn": len,
    }
    assert compare(encode(value), _wire(value), 0.0, 0.0) is None


def test_nan_equals_nan_and_tolerance_is_relative_plus_absolute():
    assert compare(_wire(math.nan), _wire(math.nan), 0, 0) is None
    assert compare(_wire(100.0), _wire(100.0001), 1e-6, 0) is not None
    assert compare(_wire(100.0), _wire(100.0001), 1e-5, 0) is None
    assert compare(_wire(0.0), _wire(1e-10), 0, 1e-9) is None
    assert compare(_wire(math.inf), _wire(1e308), 1.0, 1.0) is not None
    assert compare(_wire(np.array([1.0, np.nan])), _wire(np.array([1.0, 0.0])), 1, 1)


def test_kinds_shapes_and_exact_leaves():
    assert "shape" in compare(_wire(np.zeros((2, 3))), _wire(np.zeros((3, 2))), 1, 1)
    assert "dtype" in compare(_wire(np.zeros(2)), _wire(np.zeros(2, dtype=bool)), 1, 1)
    assert compare(_wire(np.arange(3)), _wire(np.arange(3.0)), 0, 0) is None  # int ~ float
    assert compare(_wire(3), _wire(4), 1, 1) is not None  # two ints: exact
    assert compare(_wire(2), _wire(2.0), 0, 0) is None
    assert compare(_wire(True), _wire(1), 0, 0) is not None
    assert compare(_wire("a"), _wire("b"), 1, 1) is not None
    assert compare(_wire([1, 2]), _wire((1, 2)), 0, 0) is None  # list ~ tuple
    assert compare(_wire(np.array(2.0)), _wire(2.0), 0, 0) is None  # 0-d ~ scalar
    assert compare(_wire(len), _wire(print), 0, 0) is None  # unencodable: type name only
    assert compare(_wire(len), _wire(1), 0, 0) is not None


def test_mismatch_names_where():
    a = Fitted(1.0, np.array([1.0, 2.0, 3.0]))
    b = Fitted(1.0, np.array([1.0, 2.5, 3.0]))
    detail = compare({"return": _wire(a)}, {"return": _wire(b)}, 1e-6, 0)
    assert detail is not None and detail.startswith("return.sigma: element [1]")
    assert "missing" in compare(_wire({"a": 1}), _wire({"b": 1}), 0, 0)
    assert compare(_wire({1: "x"}), _wire({1: "y"}), 0, 0) is not None
    assert compare(_wire({1, 2}), _wire({1, 3}), 0, 0) is not None


def test_generator_state_is_compared():
    a, b = np.random.default_rng(0), np.random.default_rng(0)
    assert compare(_wire(a), _wire(b), 0, 0) is None
    b.random()
    assert "generator state" in compare(_wire(a), _wire(b), 0, 0)


def test_sketches_of_large_values_still_catch_small_changes():
    x = np.linspace(0.0, 1.0, SKETCH_MIN * 8).reshape(64, -1)
    expected = shrink(_wire(x))
    assert "__sketch__" in expected and len(json.dumps(expected)) < len(json.dumps(_wire(x))) / 4
    assert compare(expected, _wire(x.copy()), 1e-9, 0) is None
    y = x.copy()
    y[7, 3] += 1e-3  # one element, most likely not among the sampled ones
    assert compare(expected, _wire(y), 1e-9, 0) is not None
    z = x.copy()
    z[[1, 2]] = z[[2, 1]]  # two rows swapped: sums unchanged, weighted sum not
    assert compare(expected, _wire(z), 1e-9, 0) is not None
    big = [Fitted(float(i), np.full(50, i / 7)) for i in range(300)]  # no single large array
    tree = shrink(_wire(big))
    assert "__treesketch__" in tree
    assert compare(tree, _wire(big), 1e-9, 0) is None
    big[123].sigma[4] += 0.01  # one number of 15300; the sums' tolerance is ~3e-4
    assert compare(tree, _wire(big), 1e-9, 0) is not None
    big[123].sigma[4] -= 0.01
    big[5].history.append(1)
    assert "structure" in compare(tree, _wire(big), 1e-9, 0)


def test_mutability_and_method_resolution():
    assert is_mutable(np.zeros(1)) and is_mutable([]) and is_mutable(Plain())
    assert not is_mutable(1.0) and not is_mutable((1, 2)) and not is_mutable("s")
    import sys

    module = sys.modules[__name__]
    assert resolve(module, "Plain.stat")(1) == 2
    assert resolve(module, "Plain.klass")(Plain, 1) == ("Plain", 1)
    assert resolve(module, "Plain.method")(Plain(), 5) == 5
    assert resolve(module, "_wire") is _wire


def test_call_choice_is_spread_and_deterministic():
    assert spread(100, 5) == [0, 99, 50, 25, 74]
    assert spread(3, 10) == [0, 2, 1]
    assert spread(0, 5) == []
    chosen = priority({"a": 10, "b": 0, "c": 4}, 5)
    assert chosen == [("a", 0), ("c", 0), ("a", 9), ("c", 3), ("a", 4)]
    assert priority({"a": 10, "c": 4}, 5) == chosen
