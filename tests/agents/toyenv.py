"""Helpers of the agent tests: a real masked workspace of toy-stats and a real sandbox.

(Not a conftest.py: tests/conftest.py is imported by name elsewhere.)
"""

from __future__ import annotations

import ast
import json
import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autoexp.agents import Budget, Prompt, render_prompt
from autoexp.masking import mask_tree
from autoexp.protocols import Sandbox
from autoexp.sandbox import SandboxConfig, make_sandbox, probe_bwrap
from autoexp.tasks import Task, load_task

TOY = Path(__file__).resolve().parents[1] / "data" / "tasks" / "toy-stats"
EXPECTED = {"moments": {"mean": 3.030526, "var": 3.714029}, "scaled": {"max_z": 2.062213}}
"""toy-stats' numbers (what the original code prints)."""


@dataclass
class Prepared:
    task: Task
    workspace: Path
    prompt: Prompt
    masked_source: str


def prepare(
    tmp: Path,
    combo: Sequence[str],
    agent: str,
    budget: Budget | None = None,
    task_root: Path = TOY,
) -> Prepared:
    """Mask `combo` of a task into tmp/workspace and render the agent's prompt."""
    task = load_task(task_root)
    ws = tmp / "workspace"
    mask_tree(task.code_dir, ws, [(f, task.function(f).description) for f in combo])
    prompt = render_prompt(agent, task, list(combo), budget=budget or Budget())
    return Prepared(task, ws, prompt, (ws / "stats.py").read_text())


def original_def(qualname: str, path: Path = TOY / "code" / "stats.py") -> str:
    """The original source of one function of toy-stats, dedented (what a model would write)."""
    source = path.read_text()
    tree = ast.parse(source)
    parts = qualname.split(".")
    body = tree.body
    node = None
    for part in parts:
        node = next(n for n in body if getattr(n, "name", None) == part)
        body = getattr(node, "body", [])
    return textwrap.dedent(ast.get_source_segment(source, node, padded=True))


def masked_def_text(workspace: Path, qualname: str) -> str:
    """The masked function's current source in the workspace (for edit_file's old_str)."""
    source = (workspace / "stats.py").read_text()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == qualname.rsplit(".", 1)[-1]:
            return ast.get_source_segment(source, node, padded=False)
    raise KeyError(qualname)


def run_json(sandbox: Sandbox, workspace: Path, command: str) -> dict | None:
    """Run a command in the sandbox and parse its last stdout line as JSON (None on failure)."""
    res = sandbox.run(command, workspace, timeout_s=60)
    if res.exit_code != 0:
        return None
    return json.loads(res.stdout.strip().splitlines()[-1])


def toy_sandbox(**config) -> Sandbox:
    """bubblewrap when it works here, else the plain subprocess backend."""
    if probe_bwrap() is None:
        return make_sandbox(SandboxConfig(**config), backend="bwrap")
    return make_sandbox(SandboxConfig(**config), backend="none")


def toy_copy(tmp_path: Path) -> Path:
    """A copy of toy-stats with an unrelated module added to its code."""
    root = tmp_path / "toy-copy"
    shutil.copytree(TOY, root)
    (root / "code" / "plotting.py").write_text(
        '"""Unrelated helpers: nothing of the experiments uses them."""\n\n'
        "UNRELATED_CONSTANT = 42\n\n\n"
        "def draw_histogram_unrelated(values, bins=10):\n"
        "    return [len(values) // bins] * bins\n"
    )
    return root
