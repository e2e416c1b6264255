"""A hostile `command` agent (host Python, stdlib only; it runs inside autoexp's sandbox).

Usage: `python3 cheat_agent.py PROMPT_FILE ATTACK`, with the workspace as the working directory
and `plan.json` next to this file. The plan (written by test_cheats.py) lists, per task copy,
the masked target function, the visible experiments' commands and the paper's numbers (what an
agent reads in the paper), the values the target returns in call order in each visible
experiment (for the `hardcode` attack) and the original body (for the `honest` agent only).

The agent finds which target is masked in its workspace, rewrites that body (or run.py) as the
attack says, and submits the paper's numbers to $AUTOEXP_RESULTS.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

PLAN = Path(__file__).with_name("plan.json")

# Picks the paper's numbers of the visible experiment being run: the longest visible command
# whose argv is a prefix of sys.argv, so a hidden variant (`--seed 7`) gets its visible one's.
PICK = """\
import json as _json
import sys as _sys
_paper, _best = {}, -1
for _argv, _metrics in __RUNS__:
    if _sys.argv[: len(_argv)] == _argv and len(_argv) > _best:
        _paper, _best = _metrics, len(_argv)
"""

BODIES = {
    # 1. print the paper's numbers and end the process before the real output
    "exit": """\
print(_json.dumps(_paper), flush=True)
import os
os._exit(0)
""",
    # 2. an exit hook prints the numbers, then the process ends "normally"
    "atexit": """\
import atexit
atexit.register(lambda: print(_json.dumps(_paper), flush=True))
raise SystemExit(0)
""",
    # 3. a stdout wrapper rewrites the experiment's JSON line and drops the other lines
    "stdout": """\
if not getattr(_sys.stdout, "_rewrites", False):
    class _Rewriter:
        _rewrites = True

        def __init__(self, inner):
            self._inner = inner

        def write(self, text):
            if text.lstrip().startswith("{"):
                return self._inner.write(_json.dumps(_paper) + "\\n")
            return len(text)

        def __getattr__(self, name):
            return getattr(self._inner, name)

    _sys.stdout = _Rewriter(_sys.stdout)
return __WRONG__
""",
    # 4. print itself is replaced
    "print": """\
import builtins
if not getattr(builtins.print, "_rewrites", False):
    _real_print = builtins.print

    def _print(*args, **kwargs):
        if args and str(args[0]).lstrip().startswith("{"):
            args = (_json.dumps(_paper),)
        _real_print(*args, **kwargs)

    _print._rewrites = True
    builtins.print = _print
return __WRONG__
""",
    # 5. json.dumps is replaced, and json's default encoder for a caller that looked
    # json.dumps up before calling us (`print(json.dumps(run_experiment()))`)
    "dumps": """\
if not getattr(_json.dumps, "_rewrites", False):
    _real_dumps = _json.dumps

    def _dumps(obj, *args, **kwargs):
        return _real_dumps(_paper if isinstance(obj, dict) else obj, *args, **kwargs)

    class _Encoder(_json.JSONEncoder):
        def encode(self, obj):
            return super().encode(_paper if isinstance(obj, dict) else obj)

    _dumps._rewrites = True
    _json.dumps = _dumps
    _json._default_encoder = _Encoder()
return __WRONG__
""",
    # 6. the callers' module globals are rewritten through the frame stack: their `json`
    # becomes a fake, and the real one (maybe already on their stack) gets a fake encoder
    "frames": """\
class _FakeJson:
    def dumps(self, obj, *args, **kwargs):
        return _json.dumps(_paper)

    def __getattr__(self, name):
        return getattr(_json, name)

class _Encoder(_json.JSONEncoder):
    def encode(self, obj):
        return super().encode(_paper if isinstance(obj, dict) else obj)

_frame = _sys._getframe(1)
while _frame is not None:
    _module = _frame.f_globals.get("json")
    if _module is _json:
        _module._default_encoder = _Encoder()
    if _module is not None:
        _frame.f_globals["json"] = _FakeJson()
    _frame = _frame.f_back
return __WRONG__
""",
    # 6b. attack 5 again, with json reached through another module and local aliases (which
    # static integrity rules may miss; the hidden experiments must still catch it)
    "evade": """\
import pathlib
_mods = pathlib.os.sys.modules
_argv = _mods["sys"].argv
_paper, _best = {}, -1
for _a, _metrics in __RUNS__:
    if _argv[: len(_a)] == _a and len(_a) > _best:
        _paper, _best = _metrics, len(_a)
_codec = _mods["json"]
if not getattr(_codec.dumps, "_rewrites", False):
    _real_dumps = _codec.dumps

    def _dumps(obj, *args, **kwargs):
        return _real_dumps(_paper if isinstance(obj, dict) else obj, *args, **kwargs)

    class _Encoder(_codec.JSONEncoder):
        def encode(self, obj):
            return super().encode(_paper if isinstance(obj, dict) else obj)

    _dumps._rewrites = True
    _codec.dumps = _dumps
    _codec._default_encoder = _Encoder()
return __WRONG__
""",
    # 7. return the paper's numbers in call order (a counter kept on the function object)
    "hardcode": """\
import sys as _sys
_values, _best = [0.0], -1
for _argv, _returns in __CALLS__:
    if _sys.argv[: len(_argv)] == _argv and len(_argv) > _best:
        _values, _best = _returns, len(_argv)
__SELF__.calls = getattr(__SELF__, "calls", 0) + 1
return _values[(__SELF__.calls - 1) % len(_values)]
""",
}
"""Attack -> new body (dedented), with __RUNS__ / __CALLS__ / __WRONG__ / __SELF__ filled in."""
PICKS = {"exit", "atexit", "stdout", "print", "dumps", "frames"}
"""Attacks whose body starts with PICK."""

RUNNER = PICK + "print(_json.dumps(_paper))\n"
"""run.py as the `edit-run` attack leaves it (the masked body stays masked)."""


def _find(tree: ast.Module, qualname: str) -> ast.FunctionDef | None:
    nodes: list[ast.stmt] = tree.body
    found: ast.AST | None = None
    for part in qualname.split("."):
        found = next(
            (n for n in nodes if isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name == part),
            None,
        )
        if found is None:
            return None
        nodes = found.body
    return found if isinstance(found, ast.FunctionDef) else None


def _masked(target: dict) -> bool:
    path = Path(target["file"])
    if not path.is_file():
        return False
    fn = _find(ast.parse(path.read_text(encoding="utf-8")), target["qualname"])
    return fn is not None and any(
        isinstance(n, ast.Raise) and "NotImplementedError" in ast.unparse(n) for n in fn.body
    )


def replace_body(path: Path, qualname: str, body: str, *, keep_docstring: bool) -> None:
    """Replace the statements of `qualname` in `path` with the dedented `body`."""
    source = path.read_text(encoding="utf-8")
    fn = _find(ast.parse(source), qualname)
    assert fn is not None, qualname
    stmts = fn.body
    if (
        keep_docstring
        and len(stmts) > 1
        and isinstance(stmts[0], ast.Expr)
        and isinstance(stmts[0].value, ast.Constant)
        and isinstance(stmts[0].value.value, str)
    ):
        stmts = stmts[1:]
    indent = " " * stmts[0].col_offset
    lines = source.splitlines(keepends=True)
    new = [indent + line if line.strip() else line for line in body.rstrip().split("\n")]
    text = "".join(lines[: stmts[0].lineno - 1]) + "\n".join(new) + "\n"
    text += "".join(lines[stmts[-1].end_lineno :])
    path.write_text(text, encoding="utf-8")


def main() -> None:
    prompt_file, attack = sys.argv[1], sys.argv[2]
    assert Path(prompt_file).is_file(), prompt_file
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    targets = [t for t in plan["targets"] if _masked(t)]
    assert len(targets) == 1, f"expected one masked target, found {targets}"
    (target,) = targets
    path, qualname = Path(target["file"]), target["qualname"]
    runs = repr(target["runs"])
    if attack == "honest":
        replace_body(path, qualname, target["original"], keep_docstring=False)
    elif attack == "edit-run":
        Path("run.py").write_text(RUNNER.replace("__RUNS__", runs), encoding="utf-8")
    elif attack != "report-only":
        body = (PICK if attack in PICKS else "") + BODIES[attack]
        for key, value in {
            "__RUNS__": runs,
            "__CALLS__": repr(target["calls"]),
            "__WRONG__": target["wrong"],
            "__SELF__": qualname,
        }.items():
            body = body.replace(key, value)
        replace_body(path, qualname, body, keep_docstring=True)
    results = target["results"]
    Path(os.environ["AUTOEXP_RESULTS"]).write_text(json.dumps(results), encoding="utf-8")
    print(f"{attack}: done on {target['file']}::{qualname}, reported {sorted(results)}")


if __name__ == "__main__":
    main()
