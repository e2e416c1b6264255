"""Which functions of the repository a command executes, how often, for how long and from
when: one run under a profiler that a small runner installs (a `sitecustomize` module on
PYTHONPATH, so every Python process the command starts loads it; the user's code is not
edited)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from autoexp.protocols import Sandbox
from autoexp.sandbox._types import ExecResult

PROFILE_DIR = ".autoexp_profile"
"""Folder of the profiler and its output inside the profiled copy of the code."""

_SITECUSTOMIZE = r'''
"""autoexp build: count calls, inclusive time and first-call time of the functions defined
under AUTOEXP_PROFILE_ROOT; written to AUTOEXP_PROFILE_OUT/calls-<pid>.json at exit."""
import atexit, dis, json, os, sys, threading, time
_out = os.environ.get("AUTOEXP_PROFILE_OUT")
_root = os.path.realpath(os.environ.get("AUTOEXP_PROFILE_ROOT", "."))
_t0 = time.perf_counter()
_stats = {}    # (relpath, qualname) -> [calls, seconds, first_s]
_codes = {}    # id(code) -> (code, key or None, generator start offset or None)
_local = threading.local()
_RESUMABLE = 0x20 | 0x80 | 0x200

def _lookup(code):
    hit = _codes.get(id(code))
    if hit is not None and hit[0] is code:
        return hit
    key, start = None, None
    name = code.co_filename
    path = "" if name.startswith("<") else os.path.realpath(name)  # <frozen ...>, <string>
    if path.startswith(_root + os.sep) and not path.startswith(os.path.join(_root, ".autoexp_")):
        key = (os.path.relpath(path, _root).replace(os.sep, "/"), code.co_qualname)
        if code.co_flags & _RESUMABLE:
            start = min((i.offset for i in dis.get_instructions(code) if i.opname == "RESUME"),
                        default=0)
    hit = (code, key, start)
    _codes[id(code)] = hit
    return hit

def _prof(frame, event, arg):
    if event == "call":
        _, key, start = _lookup(frame.f_code)
        if key is None:
            return
        now = time.perf_counter()
        st = _stats.get(key)
        if st is None:
            st = _stats[key] = [0, 0.0, now - _t0]
        if start is None or frame.f_lasti <= start:
            st[0] += 1
        stack = getattr(_local, "stack", None)
        if stack is None:
            stack = _local.stack = []
            _local.active = {}
        active = _local.active
        active[key] = active.get(key, 0) + 1
        stack.append((frame, key, now))
    elif event == "return":
        stack = getattr(_local, "stack", None)
        if stack and stack[-1][0] is frame:
            _, key, began = stack.pop()
            active = _local.active
            active[key] -= 1
            if not active[key]:  # outermost activation: inclusive time counted once
                _stats[key][1] += time.perf_counter() - began

def _dump():
    sys.setprofile(None)
    threading.setprofile(None)
    rows = [[p, q, c, round(s, 6), round(f, 6)] for (p, q), (c, s, f) in _stats.items()]
    with open(os.path.join(_out, "calls-%d.json" % os.getpid()), "w") as f:
        json.dump(rows, f)

if _out:
    atexit.register(_dump)
    sys.setprofile(_prof)
    threading.setprofile(_prof)
'''


class FunctionCalls(BaseModel):
    """What one command did with one function of the repository."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    calls: int = 0
    """Calls, summed over the command's Python processes (a generator counts once)."""
    seconds: float = 0.0
    """Inclusive wall time spent in it (its outermost calls), summed over processes."""
    first_s: float = 0.0
    """Seconds from its process's start to its first call (the earliest over processes)."""


class CommandProfile(BaseModel):
    """One profiled run of one command."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    command: str
    """The command as given."""
    result: ExecResult
    """Exit status and output of the profiled run."""
    functions: dict[str, FunctionCalls] = Field(default_factory=dict)
    """Function id (`file.py::Qual.name`, nested and anonymous ones left out) -> its calls."""


def profiled_command(command: str) -> str:
    """`command` with the profiler loaded into every Python process it starts."""
    d = f"$PWD/{PROFILE_DIR}"
    return (
        f'export AUTOEXP_PROFILE_OUT="{d}/out" AUTOEXP_PROFILE_ROOT="$PWD" '
        f'PYTHONPATH="{d}${{PYTHONPATH:+:$PYTHONPATH}}"; {command}'
    )


def read_profile(tree: Path) -> dict[str, FunctionCalls]:
    """The profiler's output in `tree`, merged over processes."""
    merged: dict[str, FunctionCalls] = {}
    for f in sorted((tree / PROFILE_DIR / "out").glob("calls-*.json")):
        if f.is_symlink():
            continue
        try:
            rows = [
                (str(p), str(q), int(c), float(s), float(t))
                for p, q, c, s, t in json.loads(f.read_text(encoding="utf-8"))
            ]
        except (OSError, ValueError, TypeError):
            continue  # not the profiler's output
        for path, qual, calls, seconds, first in rows:
            if "<" in qual:
                continue  # lambdas, comprehensions, nested functions: not addressable
            fid = f"{path}::{qual}"
            prev = merged.get(fid)
            if prev is None:
                merged[fid] = FunctionCalls(calls=calls, seconds=seconds, first_s=first)
            else:
                prev.calls += calls
                prev.seconds = round(prev.seconds + seconds, 6)
                prev.first_s = min(prev.first_s, first)
    return merged


def profile_command(
    command: str, code_dir: Path, work: Path, sandbox: Sandbox, *, timeout_s: float
) -> CommandProfile:
    """Run `command` once on a fresh copy of `code_dir` at `work` (removed afterwards) with the
    profiler, without network; return its output and the repository functions it called."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(code_dir, work, ignore=shutil.ignore_patterns("__pycache__"))
    d = work / PROFILE_DIR
    (d / "out").mkdir(parents=True)
    (d / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    for p in (d, d / "out"):
        p.chmod(0o777)
    try:
        res = sandbox.run(profiled_command(command), work, timeout_s=timeout_s, network=False)
        return CommandProfile(command=command, result=res, functions=read_profile(work))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_plain(
    command: str, code_dir: Path, work: Path, sandbox: Sandbox, *, timeout_s: float
) -> ExecResult:
    """Run `command` once on a fresh copy of `code_dir` at `work` (removed afterwards), without
    network and without any tracer."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(code_dir, work, ignore=shutil.ignore_patterns("__pycache__"))
    try:
        return sandbox.run(command, work, timeout_s=timeout_s, network=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
