"""Which functions an experiment executes, found by running it under a profiler."""

from __future__ import annotations

import json
from pathlib import Path

from autoexp.protocols import Sandbox

TRACE_DIR = ".autoexp_trace"

_SITECUSTOMIZE = r"""
import atexit, json, os, sys, threading
_out = os.environ.get("AUTOEXP_TRACE_OUT")
_root = os.path.realpath(os.environ.get("AUTOEXP_TRACE_ROOT", "."))
_seen = set()
def _prof(frame, event, arg):
    if event == "call":
        code = frame.f_code
        _seen.add((code.co_filename, code.co_qualname))
def _dump():
    sys.setprofile(None)
    rows = []
    for fn, qual in _seen:
        path = os.path.realpath(fn)
        if path.startswith(_root + os.sep):
            rows.append([os.path.relpath(path, _root), qual])
    with open(os.path.join(_out, "calls-%d.json" % os.getpid()), "w") as f:
        json.dump(rows, f)
if _out:
    atexit.register(_dump)
    sys.setprofile(_prof)
    threading.setprofile(_prof)
"""


def traced_command(command: str) -> str:
    """Wrap a shell command so every Python process it starts records the functions it calls."""
    return (
        f'export AUTOEXP_TRACE_OUT="$PWD/{TRACE_DIR}/out" AUTOEXP_TRACE_ROOT="$PWD" '
        f'PYTHONPATH="$PWD/{TRACE_DIR}${{PYTHONPATH:+:$PYTHONPATH}}"; {command}'
    )


def install_tracer(tree: Path) -> None:
    """Put the profiler (a sitecustomize module) into `tree`."""
    d = tree / TRACE_DIR
    (d / "out").mkdir(parents=True, exist_ok=True)
    (d / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    for p in (d, d / "out"):
        p.chmod(0o777)


def traced_calls(tree: Path) -> set[str]:
    """Function ids (`file.py::Qual.name`) recorded by the tracer in `tree`."""
    calls: set[str] = set()
    for f in (tree / TRACE_DIR / "out").glob("calls-*.json"):
        for path, qual in json.loads(f.read_text()):
            if "<" not in qual and not path.startswith(TRACE_DIR):
                calls.add(f"{Path(path).as_posix()}::{qual}")
    return calls


def trace_experiment(
    command: str, tree: Path, sandbox: Sandbox, timeout_s: float
) -> tuple[set[str], str | None]:
    """Run `command` in `tree` with the tracer; return (called function ids, error or None)."""
    install_tracer(tree)
    res = sandbox.run(traced_command(command), tree, timeout_s=timeout_s)
    if not res.ok:
        return traced_calls(tree), f"exit {res.exit_code}: {res.stderr[-500:]}"
    return traced_calls(tree), None
