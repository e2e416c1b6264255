"""Issue 17, item 4: the layering, as read from the imports. Lower layers import nothing of the
layers above them: not at run time, and not under TYPE_CHECKING either."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import autoexp

SRC = Path(autoexp.__file__).resolve().parent

FORBIDDEN = {
    "models": ("autoexp.agents", "autoexp.runner", "autoexp.sandbox", "autoexp.grading"),
    "grading": ("autoexp.sandbox", "autoexp.agents", "autoexp.runner", "autoexp.models"),
    "sandbox": ("autoexp.agents", "autoexp.runner", "autoexp.models", "autoexp.grading"),
}
"""Sub-package -> the modules none of its files may import."""


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import statement in a file; `from autoexp import x` counts as
    importing `autoexp.x` (and the package itself)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return out


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    bad = [
        f"{path.relative_to(SRC.parent)}:{line}: imports {module}"
        for path in sorted((SRC / layer).glob("*.py"))
        for line, module in imports(path)
        if any(_under(module, p) for p in FORBIDDEN[layer])
    ]
    assert bad == []


def test_the_sandbox_does_not_import_the_top_level_package():
    """`import autoexp` in a sandbox module would make its package data depend on whatever the
    top-level package pulls in; it finds that data from its own file instead."""
    bad = [
        f"{path.relative_to(SRC.parent)}:{line}"
        for path in sorted((SRC / "sandbox").glob("*.py"))
        for line, module in imports(path)
        if module == "autoexp"
    ]
    assert bad == []


def test_importing_the_sandbox_loads_no_agent_model_or_runner():
    code = (
        "import sys, autoexp.sandbox\n"
        "above = ('autoexp.agents', 'autoexp.models', 'autoexp.runner')\n"
        "print(sorted(m for m in sys.modules if m.startswith(above)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
