"""The differential-test runner: calls one function on recorded inputs inside the sandbox.

Self-contained on purpose (standard library, plus numpy when it is installed): it is copied
into the tree under test as `.autoexp_diff/runner.py` and run there as
`python .autoexp_diff/runner.py .autoexp_diff/job.json`, where autoexp itself cannot be
imported. The job names the function, its module and the input pickles; for each sample the
runner restores the global random states, calls the function and writes what came out, in a
safe JSON encoding (see `encode`), to the job's results file, rewritten after every sample so
a timeout still leaves the finished ones. The host reads only that JSON, never a pickle.

Results file: {"version": 1, "function": id, "done": bool, "error": str | null,
"samples": [{"raised": null | "Type: msg", "return": enc, "after": {name: enc}} |
{"error": "..."}]}.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import io
import itertools
import json
import math
import os
import pickle
import random
import sys
import types
import zlib

RESULTS_VERSION = 1
"""Version of the results file format."""
GENERATOR_CAP = 10_000
"""Items taken from a generator result."""
MAX_DEPTH = 40
"""Nesting deeper than this is encoded as {"__deep__": type name}."""
MAX_NODES = 2_000_000
"""Encoded values per sample; more raises TooLarge."""
GLOBAL_NUMPY = "<numpy.random>"
"""Key of the global numpy random state's digest in "after"."""
GLOBAL_RANDOM = "<random>"
"""Key of the global `random` state's digest in "after"."""

_json_dumps = json.dumps
_replace = os.replace
_open = open


class TooLarge(Exception):
    """The encoded value is over the node budget."""


def _np():
    return sys.modules.get("numpy")


def _qualname(tp: type) -> str:
    return getattr(tp, "__qualname__", tp.__name__)


def _float(x: float):
    if math.isnan(x):
        return {"__float__": "nan"}
    if math.isinf(x):
        return {"__float__": "inf" if x > 0 else "-inf"}
    return x


def _digest(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()[:32]


def random_digest(state) -> str:
    """Digest of a `random.getstate()` value (a tuple of ints)."""
    return _digest(repr(state).encode())


def numpy_digest(state) -> str:
    """Digest of a `numpy.random.get_state()` value."""
    name, keys, pos, has_gauss, cached = state
    return _digest(repr((name, pos, has_gauss, float(cached))).encode() + bytes(keys.tobytes()))


class _Encoder:
    def __init__(self, max_nodes: int = MAX_NODES, digest: bool = False) -> None:
        self.nodes = 0
        self.max_nodes = max_nodes
        self.digest = digest
        """Numeric arrays become digests of their bytes (to tell whether they changed)."""
        self.stack: set[int] = set()

    def tick(self, n: int = 1) -> None:
        self.nodes += n
        if self.nodes > self.max_nodes:
            raise TooLarge(f"more than {self.max_nodes} encoded values")

    def enc(self, x, depth: int = 0):
        self.tick()
        if x is None or isinstance(x, bool):
            return x
        if isinstance(x, str):
            return str(x)
        np = _np()
        if np is not None and isinstance(x, np.generic):
            return self.np_scalar(x, np)
        if isinstance(x, int):
            return int(x)
        if isinstance(x, float):
            return _float(float(x))
        if isinstance(x, complex):
            return {"__complex__": [_float(x.real), _float(x.imag)]}
        if isinstance(x, (bytes, bytearray)):
            self.tick(len(x) // 32)
            return {"__bytes__": bytes(x).hex()}
        if depth >= MAX_DEPTH:
            return {"__deep__": type(x).__name__}
        if id(x) in self.stack:
            return {"__cycle__": type(x).__name__}
        self.stack.add(id(x))
        try:
            return self.container(x, depth + 1, np)
        finally:
            self.stack.discard(id(x))

    def np_scalar(self, x, np):
        if isinstance(x, np.bool_):
            return bool(x)
        if isinstance(x, np.integer):
            return int(x)
        if isinstance(x, np.floating):
            return _float(float(x))
        if isinstance(x, np.complexfloating):
            return {"__complex__": [_float(float(x.real)), _float(float(x.imag))]}
        item = x.item()
        if isinstance(item, (str, bytes, int, float)):
            return self.enc(item)
        return {"__unencodable__": type(x).__name__}

    def container(self, x, depth: int, np):
        if isinstance(x, list):
            return [self.enc(v, depth) for v in x]
        if isinstance(x, tuple) and hasattr(type(x), "_fields"):
            attrs = {f: self.enc(getattr(x, f), depth) for f in type(x)._fields}
            return {"__object__": _qualname(type(x)), "attrs": attrs}
        if isinstance(x, tuple):
            return {"__tuple__": [self.enc(v, depth) for v in x]}
        if isinstance(x, dict):
            if all(type(k) is str for k in x):
                return {"__dict__": {k: self.enc(v, depth) for k, v in x.items()}}
            return {"__pairs__": [[self.enc(k, depth), self.enc(v, depth)] for k, v in x.items()]}
        if isinstance(x, (set, frozenset)):
            items = [self.enc(v, depth) for v in x]
            return {"__set__": sorted(items, key=canonical)}
        if np is not None:
            special = self.numpy_object(x, depth, np)
            if special is not None:
                return special
        if isinstance(x, random.Random):
            return {"__pyrandom__": random_digest(x.getstate())}
        if isinstance(x, type):
            return {"__type__": _qualname(x)}
        if isinstance(
            x,
            (
                types.FunctionType,
                types.BuiltinFunctionType,
                types.MethodType,
                types.ModuleType,
            ),
        ):
            return {"__unencodable__": type(x).__name__}
        attrs = _attributes(x)
        if attrs is None:
            return {"__unencodable__": type(x).__name__}
        return {
            "__object__": _qualname(type(x)),
            "attrs": {k: self.enc(v, depth) for k, v in attrs.items()},
        }

    def numpy_object(self, x, depth: int, np):
        if isinstance(x, np.ndarray):
            return self.ndarray(x, depth, np)
        if isinstance(x, np.random.Generator):
            return {"__generator__": self.enc(x.bit_generator.state, depth)}
        if isinstance(x, np.random.BitGenerator):
            return {"__bitgenerator__": self.enc(x.state, depth)}
        if isinstance(x, np.random.RandomState):
            return {"__randomstate__": numpy_digest(x.get_state(legacy=True))}
        return None

    def ndarray(self, a, depth: int, np):
        kind = a.dtype.kind
        meta = {"dtype": str(a.dtype), "kind": kind, "shape": list(a.shape)}
        if self.digest and kind in "biufc":
            raw = np.ascontiguousarray(a).tobytes()
            return {"__ndarray_digest__": {**meta, "sha": _digest(raw)}}
        self.tick(a.size)
        flat = a.ravel()
        if kind in "biu":
            data = flat.tolist()
        elif kind == "f":
            f64 = flat.astype(np.float64)
            finite = bool(np.isfinite(f64).all())  # the usual case: no per-element work
            data = f64.tolist() if finite else [_float(v) for v in f64.tolist()]
        elif kind == "c":
            data = [{"__complex__": [_float(v.real), _float(v.imag)]} for v in flat.tolist()]
        elif kind in "USO":
            data = [self.enc(v, depth) for v in flat.tolist()]
        else:
            return {"__unencodable__": f"ndarray[{a.dtype}]"}
        return {"__ndarray__": {**meta, "data": data}}


def _attributes(x) -> dict | None:
    """Instance attributes: dataclass fields, __dict__ and __slots__ (None: none at all)."""
    out: dict = {}
    found = False
    if dataclasses.is_dataclass(x):
        found = True
        for f in dataclasses.fields(x):
            if hasattr(x, f.name):
                out[f.name] = getattr(x, f.name)
    d = getattr(x, "__dict__", None)
    if isinstance(d, dict):
        found = True
        for k, v in d.items():
            out.setdefault(str(k), v)
    for cls in type(x).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name in ("__dict__", "__weakref__"):
                continue
            found = True
            if hasattr(x, name):
                out.setdefault(name, getattr(x, name))
    return out if found else None


def encode(value, max_nodes: int = MAX_NODES):
    """The safe JSON encoding of `value` (raises TooLarge past `max_nodes` values).

    Numbers, bools, None and strings stay themselves (non-finite floats become
    {"__float__": "nan" | "inf" | "-inf"}); a list stays a list; everything else is a one-key
    tagged object: __tuple__, __dict__ (string keys), __pairs__ (other keys), __set__ (sorted),
    __ndarray__ {dtype, kind, shape, data (flat)}, __complex__, __bytes__, __generator__ (a numpy
    Generator's bit_generator.state), __randomstate__ / __pyrandom__ (state digests), __type__,
    __object__ with "attrs" (dataclasses, named tuples, objects with attributes), __cycle__,
    __deep__ and __unencodable__ (the type name only).
    """
    return _Encoder(max_nodes).enc(value)


def canonical(encoded) -> str:
    """A stable text of an encoded value (for sorting and equality)."""
    return _json_dumps(encoded, sort_keys=True, allow_nan=False, separators=(",", ":"))


def is_mutable(x) -> bool:
    """Whether an argument's state after the call is part of the output."""
    np = _np()
    if np is not None and isinstance(
        x, (np.ndarray, np.random.Generator, np.random.BitGenerator, np.random.RandomState)
    ):
        return True
    if isinstance(x, (list, dict, set, bytearray, random.Random)):
        return True
    if x is None or isinstance(x, (type, types.ModuleType, types.FunctionType, types.MethodType)):
        return False
    if isinstance(x, (int, float, complex, str, bytes, tuple, frozenset, range)):
        return False
    return _attributes(x) is not None


# ------------------------------------------------------------------------------- calling


def resolve(module, qualname: str):
    """The callable for `qualname` in `module` (plain function, or Class.method /
    staticmethod / classmethod / property getter found through the class __dict__), and
    whether its first parameter (self / cls) is passed explicitly."""
    parts = qualname.split(".")
    owner = module
    for name in parts[:-1]:
        owner = getattr(owner, name)
    last = parts[-1]
    if isinstance(owner, type):
        for klass in owner.__mro__:
            if last in klass.__dict__:
                attr = klass.__dict__[last]
                break
        else:
            raise AttributeError(f"{owner.__name__} has no attribute {last!r}")
        if isinstance(attr, staticmethod):
            return attr.__func__
        if isinstance(attr, classmethod):
            return attr.__func__
        if isinstance(attr, property):
            return attr.fget
        return attr
    return getattr(owner, last)


def call(fn, record: dict):
    """Call `fn` with the recorded arguments; return (positional and keyword objects by name,
    result)."""
    values = record["values"]
    args = [values[n] for n in record["positional"] if n in values]
    if record.get("varargs"):
        args.extend(values.get(record["varargs"], ()))
    kwargs = {n: values[n] for n in record.get("kwonly", []) if n in values}
    if record.get("varkw"):
        kwargs.update(values.get(record["varkw"], {}))
    return fn(*args, **kwargs)


def restore_random(record: dict) -> None:
    """Put the global random states back to what they were at the recorded call."""
    state = record.get("random")
    if state is not None:
        random.setstate(state)
    np_state = record.get("numpy_random")
    if np_state is not None:
        import numpy

        numpy.random.set_state(np_state)


def globals_after(record: dict) -> dict:
    out = {}
    if record.get("random") is not None:
        out[GLOBAL_RANDOM] = random_digest(random.getstate())
    if record.get("numpy_random") is not None:
        import numpy

        out[GLOBAL_NUMPY] = numpy_digest(numpy.random.get_state(legacy=True))
    return out


UNCHANGED = {"__unchanged__": True}
"""An argument (or one of its attributes / items) left exactly as it was passed in."""


def after_state(value, before, enc: _Encoder, max_nodes: int):
    """The encoded state of an argument after the call: UNCHANGED when it is exactly as it was
    (`before`: its digest-mode encoding before the call), else its encoding with each
    unchanged attribute (of an object) or item (of a string-keyed dict) as UNCHANGED."""
    now = _Encoder(max_nodes, digest=True).enc(value)
    if canonical(now) == canonical(before):
        return UNCHANGED
    for tag, inner in (("__object__", "attrs"), ("__dict__", "__dict__")):
        if not (isinstance(now, dict) and isinstance(before, dict)):
            break
        if tag not in now or tag not in before or isinstance(value, tuple):
            continue
        parts = value if tag == "__dict__" else _attributes(value)
        b, n = before.get(inner), now.get(inner)
        if not isinstance(parts, dict) or not isinstance(b, dict) or not isinstance(n, dict):
            break
        out = {}
        for k, v in parts.items():
            k = str(k)
            same = k in b and k in n and canonical(b[k]) == canonical(n[k])
            out[k] = UNCHANGED if same else enc.enc(v, 1)
        if tag == "__dict__":
            return {"__dict__": out}
        return {"__object__": now["__object__"], "attrs": out}
    return enc.enc(value)


def _arg_names(record: dict) -> list:
    names = [*record["positional"], *record.get("kwonly", [])]
    names += [record[k] for k in ("varargs", "varkw") if record.get(k)]
    return names


def run_sample(fn, record: dict, max_nodes: int) -> dict:
    """One call: its exception, or its encoded return value and the state of `self` and every
    mutable argument after it (parts left exactly as they were come back as UNCHANGED; a
    return value that is one of the arguments comes back as {"__arg__": name})."""
    values = record["values"]
    enc = _Encoder(max_nodes)
    mutable = [n for n in _arg_names(record) if n in values and is_mutable(values[n])]
    before = {n: _Encoder(max_nodes, digest=True).enc(values[n]) for n in mutable}
    restore_random(record)
    try:
        result = call(fn, record)
        if isinstance(result, types.GeneratorType):
            result = list(itertools.islice(result, GENERATOR_CAP))
    except Exception as e:  # the function's own failure is an outcome
        return {"raised": f"{type(e).__name__}: {str(e)[:300]}"}
    rand = globals_after(record)
    after = {n: after_state(values[n], before[n], enc, max_nodes) for n in mutable}
    after.update(rand)
    same = [n for n in mutable if result is values[n]]
    ret = {"__arg__": same[0]} if same else enc.enc(result)
    return {"raised": None, "return": ret, "after": after}


def _write(path: str, data: dict, texts: list, cap: int) -> None:
    """Write the results: `data` with, as its "samples" (its last key), the samples already
    encoded in `texts`. Each sample is encoded once, when it finishes (results are written
    after every sample, so a timeout still leaves the finished ones)."""
    head = _json_dumps({**data, "samples": []}, allow_nan=False, separators=(",", ":"))
    assert head.endswith('"samples":[]}')
    text = head[: -len("[]}")] + "[" + ",".join(texts) + "]}"
    if len(text) > cap:
        data = {**data, "samples": [], "error": f"results over {cap} bytes"}
        text = _json_dumps(data, allow_nan=False)
    tmp = path + ".tmp"
    with _open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    _replace(tmp, path)


def _sample_text(out: dict, cap: int) -> str:
    """A sample's output, encoded (an error in its place when it is over `cap` bytes)."""
    text = _json_dumps(out, allow_nan=False, separators=(",", ":"))
    if len(text) > cap:
        return _json_dumps({"error": f"output over {cap} bytes"})
    return text


def _load(path: str, blob_dir: str | None = None) -> dict:
    """A zlib-compressed pickle written by the recorder; its references to shared arrays are
    loaded from `blob_dir` (afresh for every sample, so no call sees another's changes)."""
    with _open(path, "rb") as f:
        raw = zlib.decompress(f.read())
    cache: dict = {}

    class Unpickler(pickle.Unpickler):
        def persistent_load(self, pid):
            kind, name, ident = pid
            if kind != "blob" or blob_dir is None or not str(name).isalnum():
                raise pickle.UnpicklingError(f"unknown reference {pid!r}")
            if (name, ident) not in cache:
                with _open(os.path.join(blob_dir, f"{name}.pkl"), "rb") as f:
                    cache[(name, ident)] = pickle.loads(zlib.decompress(f.read()))
            return cache[(name, ident)]

    return Unpickler(io.BytesIO(raw)).load()


def main(job_path: str) -> int:
    with _open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    root = os.path.abspath(job["root"])
    results_path = os.path.join(root, job["results"])
    sample_cap = int(job.get("sample_cap", 4 << 20))
    file_cap = int(job.get("file_cap", 32 << 20))
    max_nodes = int(job.get("max_nodes", MAX_NODES))
    data = {
        "version": RESULTS_VERSION,
        "function": job["function"],
        "done": False,
        "error": None,
        "samples": [],
    }
    texts: list = []
    os.chdir(root)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    for entry in reversed([job["import_root"], *job.get("sys_path", [])]):
        path = os.path.join(root, entry) if entry else root
        if path not in sys.path:
            sys.path.insert(0, path)
    try:
        module = importlib.import_module(job["module"])
        fn = resolve(module, job["qualname"])
    except BaseException as e:
        data["error"] = f"cannot load {job['function']}: {type(e).__name__}: {e}"[:1000]
        _write(results_path, data, texts, file_cap)
        return 3
    _write(results_path, data, texts, file_cap)
    for sample in job["samples"]:
        try:
            inputs = os.path.join(root, job["inputs"])
            record = _load(os.path.join(inputs, sample["input"]), os.path.join(inputs, "blobs"))
            if sample.get("random"):
                record.update(_load(os.path.join(inputs, sample["random"])))
        except Exception as e:
            out = {"error": f"cannot load input {sample}: {type(e).__name__}: {e}"[:1000]}
        else:
            try:
                out = run_sample(fn, record, max_nodes)
            except TooLarge as e:
                out = {"error": f"output too large: {e}"}
            except Exception as e:  # encoding failed
                out = {"error": f"cannot encode the output: {type(e).__name__}: {e}"[:1000]}
        try:
            texts.append(_sample_text(out, sample_cap))
        except Exception as e:  # e.g. a value json cannot write
            texts.append(_json_dumps({"error": f"cannot encode the output: {e}"[:1000]}))
        _write(results_path, data, texts, file_cap)
    data["done"] = True
    _write(results_path, data, texts, file_cap)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
