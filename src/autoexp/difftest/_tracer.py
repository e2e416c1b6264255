"""The recording tracer, put into a copy of the original code as a `sitecustomize` module.

Self-contained (standard library only): every Python process the experiment starts loads it
through PYTHONPATH. It watches call events (`sys.setprofile` and `threading.setprofile`) of
the target functions, matched by file path relative to the tree and `co_qualname`. In count
mode it only counts each target's calls; in pick mode it also pickles, at the call itself,
the arguments of the chosen call indices (from `frame.f_locals`, `self` / `cls` included) and
the global random states (`random.getstate()`, `numpy.random.get_state()` when those modules
are imported), one file per call. Calls of generator functions count once, at their start.

Environment: AUTOEXP_DIFF_SPEC (JSON: {"targets": [[path, qualname, key], ...],
"pick": {key: [call indices]} | null, "max_bytes": int}), AUTOEXP_DIFF_OUT (output folder),
AUTOEXP_DIFF_ROOT (the tree). Output, per picked call, `<key>-<index>-<pid>.pkl` (the
arguments: a zlib-compressed pickle whose large numeric arrays are persistent references to
`blob-<sha>.pkl` files, shared by content), `.rnd` (the global random states, likewise) and
`.json` ({"blobs": [sha, ...], "bytes": total size}); and
`calls-<pid>.json` ({"counts": {key: n}, "skips": {key: {index: reason}}, "module": {key:
__name__}, "sys_path": [entries inside the tree, relative]}) when the process exits.
"""

import atexit
import dis
import hashlib
import io
import json
import os
import pickle
import sys
import threading
import zlib

_BLOB_MIN = 4 * 1024
"""Numeric arrays of at least this many bytes are stored once, as shared blobs."""
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08
_CO_RESUMABLE = 0x20 | 0x80 | 0x200  # generator, coroutine, async generator


def _install() -> None:
    spec_path = os.environ.get("AUTOEXP_DIFF_SPEC")
    out = os.environ.get("AUTOEXP_DIFF_OUT")
    if not spec_path or not out:
        return
    root = os.path.realpath(os.environ.get("AUTOEXP_DIFF_ROOT", "."))
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    targets = {(path, qual): key for path, qual, key in spec["targets"]}
    pick = spec.get("pick")
    picks = {k: set(v) for k, v in pick.items()} if pick is not None else {}
    max_bytes = int(spec.get("max_bytes", 256 * 1024))
    counts = {key: 0 for key in targets.values()}
    skips: dict = {}
    modules: dict = {}
    cache: dict = {}
    lock = threading.Lock()
    pid = os.getpid()

    def lookup(code):
        try:
            path = os.path.relpath(os.path.realpath(code.co_filename), root)
        except ValueError:
            return None
        key = targets.get((path.replace(os.sep, "/"), code.co_qualname))
        if key is None:
            return None
        start = None
        if code.co_flags & _CO_RESUMABLE:
            start = min(
                (i.offset for i in dis.get_instructions(code) if i.opname == "RESUME"),
                default=0,
            )
        return key, start

    def random_states():
        rnd = sys.modules.get("random")
        np = sys.modules.get("numpy")
        state = rnd.getstate() if rnd is not None and hasattr(rnd, "getstate") else None
        np_state = None
        np_random = getattr(np, "random", None) if np is not None else None
        if np_random is not None and hasattr(np_random, "get_state"):
            try:
                np_state = np_random.get_state(legacy=True)
            except Exception:
                np_state = None
        return state, np_state

    def dumps(record):
        """The record as a zlib-compressed pickle in which every large numeric array is a
        reference to a blob (its own compressed pickle, named by content), and the blobs."""
        np = sys.modules.get("numpy")
        ndarray = getattr(np, "ndarray", None)
        blobs: dict = {}
        seen: dict = {}

        class Pickler(pickle.Pickler):
            def persistent_id(self, obj):
                if ndarray is None or type(obj) is not ndarray:
                    return None
                if obj.dtype.kind not in "biufc" or obj.nbytes < _BLOB_MIN:
                    return None
                if id(obj) not in seen:
                    data = zlib.compress(pickle.dumps(obj, protocol=4), 6)
                    name = hashlib.sha256(data).hexdigest()[:24]
                    blobs[name] = data
                    seen[id(obj)] = (name, len(seen))
                name, ordinal = seen[id(obj)]
                return ("blob", name, ordinal)

        buf = io.BytesIO()
        Pickler(buf, protocol=4).dump(record)
        return zlib.compress(buf.getvalue(), 6), blobs

    def save(frame, key, index):
        code = frame.f_code
        n_pos = code.co_argcount
        n_kw = code.co_kwonlyargcount
        names = code.co_varnames
        varargs = names[n_pos + n_kw] if code.co_flags & _CO_VARARGS else None
        at = n_pos + n_kw + (1 if varargs else 0)
        varkw = names[at] if code.co_flags & _CO_VARKEYWORDS else None
        wanted = [
            *names[: n_pos + n_kw],
            *([varargs] if varargs else []),
            *([varkw] if varkw else []),
        ]
        local = frame.f_locals
        record = {
            "positional": list(names[:n_pos]),
            "kwonly": list(names[n_pos : n_pos + n_kw]),
            "varargs": varargs,
            "varkw": varkw,
            "values": {n: local[n] for n in wanted if n and n in local},
        }
        state, np_state = random_states()
        try:
            blob, blobs = dumps(record)
        except Exception as e:
            skips.setdefault(key, {})[index] = f"unpicklable: {type(e).__name__}: {e}"[:300]
            return
        size = len(blob) + sum(len(b) for b in blobs.values())
        if size > max_bytes:
            skips.setdefault(key, {})[index] = f"too large: {size} bytes compressed > {max_bytes}"
            return
        for name, data in blobs.items():
            path = os.path.join(out, f"blob-{name}.pkl")
            if not os.path.exists(path):
                with open(path, "wb") as f:
                    f.write(data)
        base = os.path.join(out, f"{key}-{index}-{pid}")
        if state is not None or np_state is not None:
            states = {"random": state, "numpy_random": np_state}
            with open(base + ".rnd", "wb") as f:
                f.write(zlib.compress(pickle.dumps(states, protocol=4), 6))
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump({"blobs": sorted(blobs), "bytes": size}, f)
        with open(base + ".pkl", "wb") as f:
            f.write(blob)

    def prof(frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        hit = cache.get(id(code))
        if hit is None or hit[0] is not code:
            hit = (code, lookup(code))
            cache[id(code)] = hit
        found = hit[1]
        if found is None:
            return
        key, start = found
        if start is not None and frame.f_lasti > start:
            return  # a generator resumed, not a new call
        with lock:
            index = counts[key]
            counts[key] = index + 1
        if index == 0:
            modules[key] = frame.f_globals.get("__name__")
        if index in picks.get(key, ()):
            try:
                save(frame, key, index)
            except Exception as e:  # never break the experiment
                skips.setdefault(key, {})[index] = f"not recorded: {type(e).__name__}: {e}"[:300]

    def dump():
        sys.setprofile(None)
        threading.setprofile(None)
        inside = []
        for entry in sys.path:
            path = os.path.realpath(entry or ".")
            if path == root or path.startswith(root + os.sep):
                inside.append(os.path.relpath(path, root).replace(os.sep, "/"))
        data = {
            "counts": {k: v for k, v in counts.items() if v},
            "skips": {k: {str(i): r for i, r in v.items()} for k, v in skips.items()},
            "module": modules,
            "sys_path": inside,
        }
        with open(os.path.join(out, f"calls-{pid}.json"), "w", encoding="utf-8") as f:
            json.dump(data, f)

    atexit.register(dump)
    sys.setprofile(prof)
    threading.setprofile(prof)


_install()
