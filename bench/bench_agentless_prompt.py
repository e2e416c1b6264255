"""Size of the agentless prompt (call-graph context) against a full-repository prompt, at n = 1.

Not a test. Run: `python bench/bench_agentless_prompt.py [TASK_DIR ...]` (default: the built-in
suite; tasks that do not load are skipped with a note). For every task and every single maskable
function it masks the code, renders the agentless prompt with its code context, and compares it
with the same prompt followed by every Python file of the masked repository. Prints one line per
task (mean characters, mean and range of the ratio, and the same for the code alone, without
the prompt and paper that both share) and the overall mean ratios.

Then the same on a generated large repository (bench/large_repo.py: 2,000 files, 20 MB;
`--quick`: 200 files, 2 MB), where the target holds: the full-repository prompt is at least
10 times the agentless one, and the agentless context still holds every caller of each masked
function (found independently, by a plain `ast` scan of the workspace). Prints a final JSON
line with the figures and the target.
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import sys
import tempfile
from pathlib import Path

from large_repo import make_task

from autoexp.agents import AgentlessAgent, render_prompt
from autoexp.errors import AutoexpError
from autoexp.masking import mask_tree
from autoexp.tasks import BUILTIN_DIR, Task, discover, load_task

TARGET_FACTOR = 10.0
"""The full-repository prompt of the large repository is at least this many times larger."""

_SKIP = {"__pycache__", ".git", ".autoexp"}


def full_repo_text(workspace: Path) -> str:
    """Every Python file of the workspace, as a full-repository prompt would include it."""
    parts = []
    for file in sorted(workspace.rglob("*.py")):
        rel = file.relative_to(workspace)
        if any(p in _SKIP for p in rel.parts):
            continue
        parts.append(
            f"### `{rel.as_posix()}`\n```python\n{file.read_text(encoding='utf-8')}\n```\n"
        )
    return "\n".join(parts)


class _NoModel:
    name = "none"

    def query(self, messages, tools=None):  # never called: only the prompt is built
        raise AssertionError("the benchmark makes no model calls")


def _callers(workspace: Path, name: str) -> set[str]:
    """Names of the functions of the workspace whose body calls `name` (plainly or as an
    attribute), by an `ast` scan independent of the agentless agent's call graph."""
    out: set[str] = set()
    for file in workspace.rglob("*.py"):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name == name:
                continue
            for call in ast.walk(node):
                f = call.func if isinstance(call, ast.Call) else None
                if (isinstance(f, ast.Name) and f.id == name) or (
                    isinstance(f, ast.Attribute) and f.attr == name
                ):
                    out.add(node.name)
    return out


def sizes(task: Task, function_ids: list[str]) -> tuple[int, int, int, int, list[str]]:
    """Characters of (agentless prompt, full-repo prompt, agentless code context, whole code)
    with `function_ids` masked, and the callers of a masked function the context lacks."""
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "workspace"
        mask_tree(task.code_dir, ws, [(f, task.function(f).description) for f in function_ids])
        prompt = render_prompt("agentless", task, function_ids)
        agent = AgentlessAgent(_NoModel())
        context = agent.context(ws, prompt)
        agentless = agent.user_message(prompt, context)
        code = full_repo_text(ws)
        full = prompt.text.rstrip() + "\n\n## The code\n" + code
        lacking = [
            f"{fid}: caller {caller}"
            for fid in function_ids
            for caller in sorted(_callers(ws, fid.split("::")[1].split(".")[-1]))
            if f"def {caller}(" not in context.text
        ]
        return len(agentless), len(full), context.chars, len(code), lacking


def large_repo(files: int, megabytes: float) -> dict:
    """The figures on a generated large repository, its masked functions masked together."""
    with tempfile.TemporaryDirectory() as tmp:
        task = load_task(make_task(Path(tmp) / "task", files, megabytes))
        agentless, full, _, code, lacking = sizes(task, [f.id for f in task.spec.functions])
    factor = full / agentless
    print(
        f"\nlarge repository ({files} files, {code / 1e6:.1f} MB of code): agentless prompt "
        f"{agentless} characters, full-repository prompt {full}: {factor:.0f} times larger; "
        f"callers missing from the context: {lacking or 'none'}"
    )
    return {"files": files, "agentless_chars": agentless, "full_chars": full,
            "factor": round(factor, 1), "callers_missing": lacking}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "tasks", nargs="*", type=Path, help="task directories (default: built-in suite)"
    )
    ap.add_argument("--quick", action="store_true", help="a 200-file large repository")
    args = ap.parse_args(argv)
    dirs = [d for t in args.tasks for d in discover(t)] if args.tasks else discover(BUILTIN_DIR)
    ratios_all: list[float] = []
    code_all: list[float] = []
    missing: list[tuple[Task, list[str]]] = []
    print(
        f"{'task':<22} {'fns':>4} {'agentless':>10} {'full repo':>10} {'ratio':>7} "
        f"{'range':>13} {'code ctx':>9} {'all code':>9} {'code ratio':>10}"
    )
    for d in dirs:
        try:
            task = load_task(d)
            rows = [sizes(task, [fid]) for fid in task.maskable()]
        except (AutoexpError, OSError, ValueError) as e:
            print(f"{d.name:<22} skipped: {type(e).__name__}: {str(e).splitlines()[0][:60]}")
            continue
        if not rows:
            print(f"{task.id:<22} skipped: no maskable functions")
            continue
        missing.append((task, [m for r in rows for m in r[4]]))
        ratios = [r[0] / r[1] for r in rows]
        code_ratios = [r[2] / r[3] for r in rows]
        ratios_all.extend(ratios)
        code_all.extend(code_ratios)
        print(
            f"{task.id:<22} {len(rows):>4} {statistics.mean(r[0] for r in rows):>10.0f} "
            f"{statistics.mean(r[1] for r in rows):>10.0f} {statistics.mean(ratios):>7.3f} "
            f"{min(ratios):>6.3f}-{max(ratios):<6.3f} {statistics.mean(r[2] for r in rows):>9.0f} "
            f"{statistics.mean(r[3] for r in rows):>9.0f} {statistics.mean(code_ratios):>10.3f}"
        )
    if not ratios_all:
        print("no task loaded")
        return 1
    lacking = [f"{task.id}: {m}" for task, row in missing for m in row]
    print(
        f"\nover {len(ratios_all)} functions, mean ratio agentless / full-repo prompt: "
        f"{statistics.mean(ratios_all):.3f}; code context / all code: "
        f"{statistics.mean(code_all):.3f}; callers missing: {lacking or 'none'}"
    )
    large = large_repo(*((200, 2.0) if args.quick else (2000, 20.0)))
    met = large["factor"] >= TARGET_FACTOR and not large["callers_missing"] and not lacking
    print(
        json.dumps(
            {
                "bench": "agentless_prompt",
                "functions": len(ratios_all),
                "builtin_ratio_mean": round(statistics.mean(ratios_all), 3),
                "builtin_code_ratio_mean": round(statistics.mean(code_all), 3),
                "builtin_callers_missing": lacking,
                "large": large,
                "target": {"large_factor_min": TARGET_FACTOR, "callers_missing": 0},
                "met": met,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
