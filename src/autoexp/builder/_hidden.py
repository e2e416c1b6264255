"""Proposing hidden experiments: the knobs a command exposes (a seed, a size or a data flag of
the entry point's argparse / click / typer definitions, or an environment variable the code
reads) and variants of the command that turn one of them."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

from pydantic import BaseModel, ConfigDict

MAX_VALUES = 2
"""Values tried per knob (the first whose numbers differ is kept)."""
_SEED = re.compile(r"seed|^data$|^dataset[-_]?id$")
_SIZE_WORDS = frozenset(
    {
        "n", "num", "size", "samples", "points", "train", "test", "count", "steps", "iters",
        "iterations", "epochs", "trees", "draws", "length", "rows", "docs", "nodes",
    }
)  # fmt: skip
_SHELL_OPS = re.compile(r"[;&|<>()`$]")


class Knob(BaseModel):
    """Something a command exposes that changes its numbers without changing the experiment."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    kind: str
    """`seed` or `size`."""
    flag: str | None = None
    """Command-line option (`--seed`); None for an environment variable."""
    env: str | None = None
    """Environment variable the code reads; None for an option."""
    type: str = "int"
    """`int` or `float`."""
    default: float | None = None
    """Default value (None: none known)."""
    where: str = ""
    """Where it was found (`main.py: argparse`)."""

    @property
    def name(self) -> str:
        """The option or the variable."""
        return self.flag or self.env or ""


class Variant(BaseModel):
    """A candidate hidden experiment: one knob turned."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    id: str
    """Proposed id (`<experiment>-<knob><value>`)."""
    of: str
    """The visible experiment it varies."""
    command: str
    """The varied command."""
    knob: Knob
    """What was turned."""
    value: float
    """The value it was given."""
    description: str
    """What the variant changes (for task authors)."""


def _kind(name: str) -> str | None:
    words = [w for w in re.split(r"[-_]+", name.lower().lstrip("-")) if w]
    joined = "_".join(words)
    if _SEED.search(joined):
        return "seed"
    if any(w in _SIZE_WORDS for w in words):
        return "size"
    return None


def _const(node: ast.AST | None) -> object:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _type_name(node: ast.AST | None, default: object) -> str | None:
    if isinstance(node, ast.Name) and node.id in ("int", "float"):
        return node.id
    if node is None and isinstance(default, int | float) and not isinstance(default, bool):
        return "float" if isinstance(default, float) else "int"
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _argparse_and_click(tree: ast.Module, path: str) -> list[Knob]:
    out: list[Knob] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if name not in ("add_argument", "option"):
            continue
        flags = [a.value for a in node.args if isinstance(a, ast.Constant)]
        longs = [x for x in flags if isinstance(x, str) and x.startswith("--")]
        if not longs:
            continue
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        if "choices" in kw or "action" in kw or "nargs" in kw or "is_flag" in kw:
            continue
        default = _const(kw.get("default"))
        typ = _type_name(kw.get("type"), default)
        kind = _kind(longs[0])
        if typ is None or kind is None:
            continue
        how = "argparse" if name == "add_argument" else "click"
        out.append(
            Knob(
                kind=kind, flag=longs[0], type=typ, default=_number(default), where=f"{path}: {how}"
            )
        )
    return out


def _typer(tree: ast.Module, path: str) -> list[Knob]:
    """Parameters of functions that typer turns into options (`@app.command()`, `typer.run`)."""
    commands: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "run"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "typer"
            and node.args
            and isinstance(node.args[0], ast.Name)
        ):
            commands.add(node.args[0].id)
    out: list[Knob] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        decorated = any(
            isinstance(d, ast.Call)
            and isinstance(d.func, ast.Attribute)
            and d.func.attr == "command"
            for d in node.decorator_list
        )
        if not (decorated or node.name in commands):
            continue
        args = node.args.args[len(node.args.args) - len(node.args.defaults) :]
        for arg, default_node in zip(args, node.args.defaults, strict=True):
            ann = arg.annotation
            if isinstance(ann, ast.Subscript) and isinstance(ann.slice, ast.Tuple):
                ann = ann.slice.elts[0]  # Annotated[int, typer.Option(...)]
            default = _const(default_node)
            if isinstance(default_node, ast.Call) and default_node.args:
                default = _const(default_node.args[0])  # typer.Option(0, ...)
            typ = _type_name(ann, default) if ann is not None else _type_name(None, default)
            kind = _kind(arg.arg)
            if typ is None or kind is None:
                continue
            flag = "--" + arg.arg.replace("_", "-")
            out.append(
                Knob(
                    kind=kind, flag=flag, type=typ, default=_number(default), where=f"{path}: typer"
                )
            )
    return out


def _env_vars(tree: ast.Module, path: str) -> list[Knob]:
    out: list[Knob] = []
    for node in ast.walk(tree):
        name, default = None, None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func
            is_get = target.attr == "get" and _is_environ(target.value)
            is_getenv = target.attr == "getenv"
            if (is_get or is_getenv) and node.args and isinstance(node.args[0], ast.Constant):
                name = node.args[0].value
                default = _const(node.args[1]) if len(node.args) > 1 else None
        elif (
            isinstance(node, ast.Subscript)
            and _is_environ(node.value)
            and isinstance(node.slice, ast.Constant)
        ):
            name = node.slice.value
        if not isinstance(name, str) or name.startswith("AUTOEXP_"):
            continue
        kind = _kind(name)
        number = _number(default)
        if kind is None or (default is not None and number is None):
            continue
        typ = "float" if isinstance(default, str) and "." in default else "int"
        out.append(Knob(kind=kind, env=name, type=typ, default=number, where=f"{path}: environ"))
    return out


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def entry_file(command: str, code_dir: Path) -> str | None:
    """The Python file a command runs (`python x.py ...` or `python -m pkg.mod`), relative to
    `code_dir`, or None."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    for i, w in enumerate(words):
        if not re.fullmatch(r"(.*/)?python[\d.]*", w):
            continue
        rest = words[i + 1 :]
        j = 0
        while j < len(rest) and rest[j].startswith("-"):
            if rest[j] == "-m" and j + 1 < len(rest):
                base = rest[j + 1].replace(".", "/")
                for cand in (f"{base}.py", f"{base}/__main__.py"):
                    if (code_dir / cand).is_file():
                        return cand
                return None
            j += 2 if rest[j] in ("-X", "-W") else 1
        if j < len(rest) and rest[j].endswith(".py") and (code_dir / rest[j]).is_file():
            return Path(rest[j]).as_posix()
        return None
    return None


def find_knobs(code_dir: Path, files: list[str]) -> list[Knob]:
    """The seed and size knobs defined in `files` (relative to `code_dir`): options first,
    then environment variables, each once."""
    options: dict[str, Knob] = {}
    envs: dict[str, Knob] = {}
    for rel in files:
        try:
            tree = ast.parse((code_dir / rel).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for k in [*_argparse_and_click(tree, rel), *_typer(tree, rel)]:
            options.setdefault(k.flag or "", k)
        for k in _env_vars(tree, rel):
            envs.setdefault(k.env or "", k)
    ordered = sorted(options.values(), key=lambda k: (k.kind != "seed", k.flag or ""))
    return ordered + sorted(envs.values(), key=lambda k: (k.kind != "seed", k.env or ""))


def _current(command: str, flag: str) -> tuple[float | None, bool]:
    """The value `flag` has in `command` (None: not given) and whether it is given."""
    m = re.search(rf"(?:^|\s){re.escape(flag)}(?:=|\s+)(\S+)", command)
    if not m:
        return None, False
    return _number(m.group(1)), True


def _values(knob: Knob, current: float | None) -> list[float]:
    base = current if current is not None else knob.default
    if knob.kind == "seed":
        start = int(base) if base is not None else 0
        return [float(start + 1), float(start + 7)][:MAX_VALUES]
    if base is None or base == 0:
        return []
    if knob.type == "int":
        vals = [round(base * 0.75), round(base * 1.25)]
        return [float(v) for v in dict.fromkeys(vals) if v >= 1 and v != base][:MAX_VALUES]
    return [base * 0.5, base * 2.0][:MAX_VALUES]


def _fmt(value: float, typ: str) -> str:
    return str(int(value)) if typ == "int" else repr(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def variants(exp_id: str, command: str, knobs: list[Knob]) -> list[list[Variant]]:
    """Per knob, the variants of `command` to try, in order."""
    out: list[list[Variant]] = []
    for knob in knobs:
        tries: list[Variant] = []
        if knob.flag:
            current, given = _current(command, knob.flag)
        else:
            current, given = None, False
        for value in _values(knob, current):
            text = _fmt(value, knob.type)
            if knob.flag and given:
                pattern = rf"((?:^|\s){re.escape(knob.flag)})(=|\s+)\S+"
                varied = re.sub(pattern, lambda m, t=text: f"{m.group(1)}{m.group(2)}{t}", command)
            elif knob.flag:
                varied = f"{command} {knob.flag} {text}"
            elif _SHELL_OPS.search(command):
                varied = f"export {knob.env}={text}; {command}"
            else:
                varied = f"{knob.env}={text} {command}"
            name = knob.name
            tries.append(
                Variant(
                    id=f"{exp_id}-{_slug(name)}{_slug(text)}",
                    of=exp_id,
                    command=varied,
                    knob=knob,
                    value=value,
                    description=f"{exp_id} with {name} {text} ({knob.kind}; {knob.where})",
                )
            )
        if tries:
            out.append(tries)
    return out
