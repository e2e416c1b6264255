"""A static call graph over a workspace's Python files, and the code context of masked functions.

The context of a masked function is what the agentless agent shows the model instead of the
whole repository: the masked function itself, the functions that call it (by name or attribute,
from modules that import its module or its name), the functions of its own module or class that
those callers call (its likely collaborators, since its own body is masked), the header and
`__init__` of its class, the imports and constants of its module, and an outline (signatures
and docstrings) of the rest of its module or class.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from autoexp.tasks._model import split_function_id

_SKIP_DIRS = {".git", "__pycache__", ".autoexp", ".venv", "venv", "node_modules"}


@dataclass(frozen=True)
class _Def:
    path: str
    qualname: str
    kind: str  # "function" or "class"
    start: int
    end: int
    header_end: int
    calls: frozenset[str]

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def owner(self) -> str | None:
        return self.qualname.rsplit(".", 1)[0] if "." in self.qualname else None


@dataclass
class _Module:
    path: str
    lines: list[str]
    defs: dict[str, _Def] = field(default_factory=dict)
    header: list[tuple[int, int]] = field(default_factory=list)
    imported: set[str] = field(default_factory=set)


class ContextItem(BaseModel):
    """One piece of code put into the context, and why."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    path: str
    """File, relative to the workspace."""
    qualname: str
    """Function or class name inside the file; `<module>` for imports and constants."""
    role: str
    """`masked`, `caller`, `callee` (whole code), `class` (header), `outline` (signature and
    docstring) or `module` (docstring, imports, constants)."""


class CodeContext(BaseModel):
    """The code around some masked functions, rendered for a prompt."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    text: str
    """Markdown: one fenced python block per file, gaps marked `# ...`."""
    items: list[ContextItem]
    """What was included."""
    files: list[str]
    """Files the context draws from."""
    missing: list[str]
    """Masked function ids that could not be found in the workspace."""

    @property
    def chars(self) -> int:
        """Size of the rendered context in characters."""
        return len(self.text)


def _calls(node: ast.AST) -> frozenset[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            if isinstance(f, ast.Name):
                names.add(f.id)
            elif isinstance(f, ast.Attribute):
                names.add(f.attr)
    return frozenset(names)


def _start(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def _header_end(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    """Last line of the signature and docstring."""
    first = node.body[0]
    is_doc = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    return (first.end_lineno or first.lineno) if is_doc else max(first.lineno - 1, node.lineno)


def _collect(mod: _Module, body: list[ast.stmt], prefix: str) -> None:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            q = prefix + node.name
            mod.defs[q] = _Def(
                mod.path,
                q,
                "function",
                _start(node),
                node.end_lineno or node.lineno,
                _header_end(node),
                _calls(node),
            )
        elif isinstance(node, ast.ClassDef):
            q = prefix + node.name
            mod.defs[q] = _Def(
                mod.path,
                q,
                "class",
                _start(node),
                node.end_lineno or node.lineno,
                _header_end(node),
                frozenset(),
            )
            _collect(mod, node.body, q + ".")


def _parse_module(root: Path, file: Path) -> _Module | None:
    try:
        source = file.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    mod = _Module(file.relative_to(root).as_posix(), source.splitlines())
    _collect(mod, tree.body, "")
    for i, node in enumerate(tree.body):
        end = node.end_lineno or node.lineno
        is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if i == 0 and is_doc and isinstance(node.value.value, str):  # type: ignore[attr-defined]
            mod.header.append((node.lineno, end))
        elif isinstance(node, ast.Import):
            mod.header.append((node.lineno, end))
            for alias in node.names:
                mod.imported.update(alias.name.split("."))
                if alias.asname:
                    mod.imported.add(alias.asname)
        elif isinstance(node, ast.ImportFrom):
            mod.header.append((node.lineno, end))
            mod.imported.update((node.module or "").split("."))
            mod.imported.update(a.name for a in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            mod.header.append((node.lineno, end))
    for node in ast.walk(tree):  # imports inside functions count as references too
        if isinstance(node, ast.ImportFrom) and node not in tree.body:
            mod.imported.update((node.module or "").split("."))
            mod.imported.update(a.name for a in node.names)
        elif isinstance(node, ast.Import) and node not in tree.body:
            for alias in node.names:
                mod.imported.update(alias.name.split("."))
    return mod


def index_workspace(root: Path) -> dict[str, _Module]:
    """Parse every Python file under `root` (files that do not parse are skipped)."""
    modules: dict[str, _Module] = {}
    for file in sorted(root.rglob("*.py")):
        rel = file.relative_to(root)
        if any(part in _SKIP_DIRS for part in rel.parts) or not file.is_file():
            continue
        mod = _parse_module(root, file)
        if mod is not None:
            modules[mod.path] = mod
    return modules


def _may_reference(caller: _Module, target: _Def) -> bool:
    """Whether code in `caller` can call `target`: from its own file, a module that imports
    its module or top-level name, or, for a method, anywhere (it is called through an object,
    which any module may be handed)."""
    if caller.path == target.path or target.owner is not None:
        return True
    stem = Path(target.path).stem
    top = target.qualname.split(".", 1)[0]
    return stem in caller.imported or top in caller.imported


def build_context(
    workspace: Path, function_ids: list[str], *, caller_depth: int = 1
) -> CodeContext:
    """The code context of the masked functions `function_ids` (see the module docstring)."""
    modules = index_workspace(workspace)
    chosen: dict[tuple[str, str], str] = {}  # (path, qualname) -> role
    spans: dict[str, set[tuple[int, int]]] = {}
    missing: list[str] = []

    def add(d: _Def, role: str, whole: bool = True) -> None:
        key = (d.path, d.qualname)
        if key in chosen:
            return
        chosen[key] = role
        spans.setdefault(d.path, set()).add((d.start, d.end if whole else d.header_end))
        owner = d.owner
        while owner is not None:  # the headers of enclosing classes
            od = modules[d.path].defs.get(owner)
            if od is None:
                break
            spans[d.path].add((od.start, od.header_end))
            chosen.setdefault((d.path, od.qualname), "class")
            owner = od.owner

    def add_class(cls: _Def) -> None:
        add(cls, "class", whole=False)
        init = modules[cls.path].defs.get(f"{cls.qualname}.__init__")
        if init is not None:
            add(init, "callee")

    targets: list[_Def] = []
    for fid in function_ids:
        path, qual = split_function_id(fid)
        d = modules.get(path).defs.get(qual) if path in modules else None
        if d is None:
            missing.append(fid)
            continue
        targets.append(d)
    for t in targets:
        add(t, "masked")
    for t in targets:
        mod = modules[t.path]
        spans[t.path].update(mod.header)
        chosen.setdefault((t.path, "<module>"), "module")
        if t.owner is not None and t.owner in mod.defs:
            add_class(mod.defs[t.owner])
        level = [t]
        callers: list[_Def] = []
        for _ in range(max(caller_depth, 1)):
            nxt = []
            for callee in level:
                for m in modules.values():
                    if not _may_reference(m, callee):
                        continue
                    for d in m.defs.values():
                        if d.kind == "function" and callee.name in d.calls and d is not callee:
                            nxt.append(d)
            callers.extend(nxt)
            level = nxt
        for c in callers:
            add(c, "caller")
        neighbours = {
            name: d for name, d in mod.defs.items() if d.owner is None or d.owner == t.owner
        }
        for c in callers:
            for name in sorted(c.calls):
                for q, d in neighbours.items():
                    if d.name != name or (t.path, q) in chosen:
                        continue
                    if d.kind == "class":
                        add_class(d)
                    else:
                        add(d, "callee")
        for d in neighbours.values():  # an outline of the rest: signatures and docstrings
            if (t.path, d.qualname) not in chosen:
                add(d, "outline", whole=False)
    files = sorted(spans, key=lambda p: (p not in {t.path for t in targets}, p))
    text = "\n".join(_render(modules[p], spans[p]) for p in files)
    items = [ContextItem(path=p, qualname=q, role=r) for (p, q), r in chosen.items()]
    return CodeContext(text=text, items=items, files=files, missing=missing)


def _merge(spans: set[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _render(mod: _Module, spans: set[tuple[int, int]]) -> str:
    out = [f"### `{mod.path}`", "```python"]
    last = 0
    for a, b in _merge(spans):
        gap = mod.lines[last : a - 1]
        if any(line.strip() for line in gap):
            out.append("# ...")
        else:
            out.extend(gap)
        out.extend(mod.lines[a - 1 : b])
        last = b
    if any(line.strip() for line in mod.lines[last:]):
        out.append("# ...")
    out.append("```")
    return "\n".join(out) + "\n"
