"""Integrity checks: what a masked function body has no business doing (pure: source -> findings).

The agent's body runs inside the experiment, so it can make the experiment print anything:
end the process after printing the paper's numbers, wrap stdout, patch `print` or
`json.dumps`, rewrite its caller's variables through frames, or build code at run time. This
module scans the merged body's AST for those moves. It is one defence of three (hidden
experiments and differential tests are the others) and, like any static check of Python, it can
be evaded by code obscure enough; see docs/tasks.md for what it cannot stop.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from autoexp.grading._types import IntegrityFinding

EXIT = "exit"
OUTPUT = "output"
FRAMES = "frames"
PATCHING = "patching"
DYNAMIC = "dynamic-code"

RULES: dict[str, str] = {
    EXIT: "ends or hijacks the process (exit, kill, atexit, signal, exec*, fork, subprocess)",
    OUTPUT: "replaces output channels or builtins (sys.stdout/stderr, builtins, print)",
    FRAMES: "reaches into frames (sys._getframe, inspect.currentframe/stack, f_back, ...)",
    PATCHING: "patches other modules (assigns their attributes, setattr, globals(), sys.modules)",
    DYNAMIC: "runs dynamic code (exec, eval, compile, __import__, importlib, ctypes)",
}
"""Rule id -> what it flags."""

# Qualified names (after resolving import aliases) and what rule each breaks; a name matches
# itself and anything under it (`importlib` covers `importlib.import_module`).
_QUALIFIED: dict[str, str] = {
    "os._exit": EXIT,
    "os.abort": EXIT,
    "os.kill": EXIT,
    "os.killpg": EXIT,
    "os.fork": EXIT,
    "os.forkpty": EXIT,
    "os.system": EXIT,
    "os.popen": EXIT,
    "os.posix_spawn": EXIT,
    "os.posix_spawnp": EXIT,
    "sys.exit": EXIT,
    "atexit": EXIT,
    "signal": EXIT,
    "subprocess": EXIT,
    "multiprocessing": EXIT,
    "threading.excepthook": EXIT,
    "sys.excepthook": EXIT,
    "sys.displayhook": OUTPUT,
    "os.dup2": OUTPUT,
    "os.dup": OUTPUT,
    "os.write": OUTPUT,
    "builtins": OUTPUT,
    "contextlib.redirect_stdout": OUTPUT,
    "contextlib.redirect_stderr": OUTPUT,
    "sys._getframe": FRAMES,
    "sys.settrace": FRAMES,
    "sys.setprofile": FRAMES,
    "sys.call_tracing": FRAMES,
    "sys.monitoring": FRAMES,
    "inspect.currentframe": FRAMES,
    "inspect.stack": FRAMES,
    "inspect.trace": FRAMES,
    "inspect.getouterframes": FRAMES,
    "inspect.getinnerframes": FRAMES,
    "inspect.getframeinfo": FRAMES,
    "traceback.extract_stack": FRAMES,
    "traceback.walk_stack": FRAMES,
    "gc.get_referrers": FRAMES,
    "gc.get_objects": FRAMES,
    "gc.get_referents": FRAMES,
    "sys.modules": PATCHING,
    "importlib": DYNAMIC,
    "ctypes": DYNAMIC,
    "runpy": DYNAMIC,
    "code": DYNAMIC,
    "codeop": DYNAMIC,
    "marshal": DYNAMIC,
    "types.FunctionType": DYNAMIC,
    "types.CodeType": DYNAMIC,
}
_STREAMS = {"sys.stdout", "sys.stderr", "sys.__stdout__", "sys.__stderr__"}
"""Output streams: using them (`print(..., file=sys.stderr)`, `.flush()`) is fine; replacing
them, or assigning their attributes, is an `output` finding."""

_OS_PREFIXES = {"os.exec": EXIT, "os.spawn": EXIT}
"""`os.execv`, `os.execvpe`, `os.spawnl`, ...: families matched by prefix."""

_BUILTINS: dict[str, str] = {
    "exit": EXIT,
    "quit": EXIT,
    "SystemExit": EXIT,
    "exec": DYNAMIC,
    "eval": DYNAMIC,
    "compile": DYNAMIC,
    "__import__": DYNAMIC,
    "breakpoint": DYNAMIC,
    "__builtins__": OUTPUT,
    "globals": PATCHING,
}
"""Builtins (names bound nowhere in the file) and the rule each breaks."""

_ATTRIBUTES: dict[str, str] = {
    "f_back": FRAMES,
    "f_globals": FRAMES,
    "f_locals": FRAMES,
    "f_builtins": FRAMES,
    "f_code": FRAMES,
    "tb_frame": FRAMES,
    "tb_next": FRAMES,
    "gi_frame": FRAMES,
    "cr_frame": FRAMES,
    "ag_frame": FRAMES,
    "__traceback__": FRAMES,
    "__code__": DYNAMIC,
    "__globals__": PATCHING,
    "__builtins__": OUTPUT,
}
"""Attribute names that are findings on whatever object they are read from."""


@dataclass
class _Scope:
    aliases: dict[str, str]
    """Name -> qualified name it was imported as (`np` -> `numpy`, `g` -> `sys._getframe`)."""
    locals_: set[str]
    """Names bound in the file by something other than an import (defs, classes, assignments)."""


def _imports(nodes: list[ast.stmt] | list[ast.AST]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in nodes:
        for sub in ast.walk(node) if not isinstance(node, ast.Module) else [node]:
            if isinstance(sub, ast.Import):
                for a in sub.names:
                    if a.asname:
                        aliases[a.asname] = a.name
                    else:
                        top = a.name.split(".")[0]
                        aliases[top] = top
            elif isinstance(sub, ast.ImportFrom) and sub.module and not sub.level:
                for a in sub.names:
                    aliases[a.asname or a.name] = f"{sub.module}.{a.name}"
    return aliases


def _rule_of(qualified: str) -> str | None:
    """The rule a qualified name breaks: itself or a prefix of it is listed (`atexit.register`),
    or, reached through another module (`pathlib.os._exit`), a listed name of two or more parts
    starts somewhere inside it."""
    parts = qualified.split(".")
    for start in range(len(parts)):
        for end in range(len(parts), start, -1):
            if start and end - start < 2:
                break
            rule = _QUALIFIED.get(".".join(parts[start:end]))
            if rule:
                return rule
        tail = ".".join(parts[start:])
        for prefix, rule in _OS_PREFIXES.items():
            if tail.startswith(prefix):
                return rule
    return None


def _path(node: ast.expr) -> str | None:
    """`a.b.c` of an attribute chain on a plain name, whatever `a` is (None otherwise)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _path(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _dotted(node: ast.expr, scope: _Scope) -> str | None:
    """The qualified name of `a.b.c` (or `getattr(a, 'b')`), resolving import aliases."""
    if isinstance(node, ast.Name):
        return scope.aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, scope)
        return f"{base}.{node.attr}" if base else None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        base = _dotted(node.args[0], scope)
        return f"{base}.{node.args[1].value}" if base else None
    return None


def _scan(body: ast.AST, scope: _Scope) -> Iterator[tuple[int, str, str]]:
    """(line, rule, detail) for every finding under `body`."""
    for node in ast.walk(body):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [f"{node.module}.{a.name}" for a in node.names if node.module]
            )
            for name in names:
                rule = _rule_of(name)
                if rule:
                    yield line, rule, f"import {name}"
        elif isinstance(node, ast.Attribute | ast.Name):
            yield from _scan_name(node, scope, line)
        elif isinstance(node, ast.Call):
            yield from _scan_call(node, scope, line)
        elif isinstance(node, ast.Global):
            hit = [
                n for n in node.names if n in scope.aliases or n in scope.locals_ or n == "print"
            ]
            if hit:
                yield line, PATCHING, f"global {', '.join(hit)} (rebinds module names)"


def _scan_name(
    node: ast.Attribute | ast.Name, scope: _Scope, line: int
) -> Iterator[tuple[int, str, str]]:
    storing = isinstance(node.ctx, ast.Store | ast.Del)
    if isinstance(node, ast.Attribute) and node.attr in _ATTRIBUTES:
        yield line, _ATTRIBUTES[node.attr], f".{node.attr}"
        return
    qualified = _dotted(node, scope) or (_path(node) if isinstance(node, ast.Attribute) else None)
    if qualified:
        if any(f".{s}." in f".{qualified}." for s in _STREAMS):
            if storing:  # `sys.stdout = w`, `sys.stdout.write = f`; reading them is fine
                yield line, OUTPUT, f"replaces {qualified}"
            return
        rule = _rule_of(qualified) if _dotted(node, scope) else _rule_of_unresolved(qualified)
        if rule:
            yield line, rule, qualified
            return
    if isinstance(node, ast.Name) and node.id not in scope.aliases:
        if node.id in _BUILTINS and node.id not in scope.locals_:
            yield line, _BUILTINS[node.id], node.id
        elif node.id == "print" and storing:
            yield line, OUTPUT, "assigns print"
    if isinstance(node, ast.Attribute) and storing and _imported_base(node.value, scope):
        yield line, PATCHING, f"assigns {ast.unparse(node)}"
    if isinstance(node, ast.Attribute) and node.attr == "__dict__" and _imported_base(node, scope):
        yield line, PATCHING, f"{ast.unparse(node)} (a module's namespace)"


def _rule_of_unresolved(path: str) -> str | None:
    """Rules for `x.os._exit` when `x` is not an import: only listed names of two or more parts
    inside the path count (a local called `signal` is not the signal module)."""
    parts = path.split(".")
    return _rule_of(".".join(["?", *parts[1:]])) if len(parts) > 2 else None


def _scan_call(node: ast.Call, scope: _Scope, line: int) -> Iterator[tuple[int, str, str]]:
    if _is_getattr_on_import(node, scope):
        yield line, DYNAMIC, f"getattr with a computed name: {ast.unparse(node)[:60]}"
        return
    qualified = _dotted(node, scope)
    if qualified:
        rule = _rule_of(qualified)
        if rule:
            yield line, rule, qualified
            return
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name is None or name in scope.locals_ or not node.args:
        return
    if name in {"setattr", "delattr"} and _patches(node.args[0], scope):
        yield line, PATCHING, f"{name} on {ast.unparse(node.args[0])[:40]}"
    elif name == "setattr" and (_dotted(node.args[0], scope) or "") in _STREAMS:
        yield line, OUTPUT, f"setattr on {ast.unparse(node.args[0])}"
    elif name == "vars" and _imported_base(node.args[0], scope):
        yield line, PATCHING, f"vars({ast.unparse(node.args[0])}) (a module's namespace)"


def _imported_base(node: ast.expr, scope: _Scope) -> bool:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return isinstance(node, ast.Name) and node.id in scope.aliases


def _patches(target: ast.expr, scope: _Scope) -> bool:
    """setattr's target is another module (or something imported), or a module object."""
    if _imported_base(target, scope):
        return True
    return isinstance(target, ast.Call | ast.Subscript) and "modules" in ast.unparse(target)


def _is_getattr_on_import(node: ast.Call, scope: _Scope) -> bool:
    return (
        isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and not isinstance(node.args[1], ast.Constant)
        and _imported_base(node.args[0], scope)
    )


def _find(tree: ast.Module, qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    nodes: list[ast.stmt] = tree.body
    found: ast.AST | None = None
    for part in qualname.split("."):
        found = next(
            (
                n
                for n in nodes
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and n.name == part
            ),
            None,
        )
        if found is None:
            return None
        nodes = found.body
    return found if isinstance(found, ast.FunctionDef | ast.AsyncFunctionDef) else None


def _bound_names(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
    return out


def check_body(source: str, qualname: str, function_id: str) -> list[IntegrityFinding]:
    """Integrity findings in the body of `qualname` within the file `source` (merged code).

    Import aliases come from the whole file (its own imports and the body's), so `np.x = ...`
    and `from os import _exit as e; e(0)` are both seen. Findings are sorted and unique.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # the re-run reports the crash; nothing to inspect
    fn = _find(tree, qualname)
    if fn is None:
        return []
    scope = _Scope(aliases=_imports(list(tree.body)) | _imports(list(fn.body)), locals_=set())
    _local_aliases(fn, scope)
    scope.locals_ = _bound_names(tree) - set(scope.aliases) - {"print"}
    found = {hit for stmt in fn.body for hit in _scan(stmt, scope)}
    # `atexit.register(...)` also visits `atexit`: keep the most specific of such a pair
    return [
        IntegrityFinding(function=function_id, line=line, rule=rule, detail=detail)
        for line, rule, detail in sorted(found)
        if not any(
            (line, rule) == (ln, r) and d != detail and d.startswith(detail) for ln, r, d in found
        )
    ]


def _local_aliases(fn: ast.AST, scope: _Scope) -> None:
    """Names the body binds to an imported name (`j = json`, `out = sys.stdout`) become aliases
    too, so `j.dumps = f` is seen as patching json."""
    for _ in range(3):  # chains of aliases: a = json; b = a
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr)
                and (value := node.value) is not None
                and (qualified := _dotted(value, scope))
            ):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        scope.aliases.setdefault(t.id, qualified)
