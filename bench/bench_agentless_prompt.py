"""Size of the agentless prompt (call-graph context) against a full-repository prompt, at n = 1.

Not a test. Run: `python bench/bench_agentless_prompt.py [TASK_DIR ...]` (default: the built-in
suite; tasks that do not load are skipped with a note). For every task and every single maskable
function it masks the code, renders the agentless prompt with its code context, and compares it
with the same prompt followed by every Python file of the masked repository. Prints one line per
task (mean characters, mean and range of the ratio, and the same for the code alone, without
the prompt and paper that both share) and the overall mean ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from autoexp.agents import AgentlessAgent, render_prompt
from autoexp.errors import AutoexpError
from autoexp.masking import mask_tree
from autoexp.tasks import BUILTIN_DIR, Task, discover, load_task

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


def sizes(task: Task, function_id: str) -> tuple[int, int, int, int]:
    """Characters of (agentless prompt, full-repo prompt, agentless code context, whole code)
    for one masked function."""
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "workspace"
        mask_tree(task.code_dir, ws, [(function_id, task.function(function_id).description)])
        prompt = render_prompt("agentless", task, [function_id])
        agent = AgentlessAgent(_NoModel())
        context = agent.context(ws, prompt)
        agentless = agent.user_message(prompt, context)
        code = full_repo_text(ws)
        full = prompt.text.rstrip() + "\n\n## The code\n" + code
        return len(agentless), len(full), context.chars, len(code)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "tasks", nargs="*", type=Path, help="task directories (default: built-in suite)"
    )
    args = ap.parse_args(argv)
    dirs = [d for t in args.tasks for d in discover(t)] if args.tasks else discover(BUILTIN_DIR)
    ratios_all: list[float] = []
    code_all: list[float] = []
    print(
        f"{'task':<22} {'fns':>4} {'agentless':>10} {'full repo':>10} {'ratio':>7} "
        f"{'range':>13} {'code ctx':>9} {'all code':>9} {'code ratio':>10}"
    )
    for d in dirs:
        try:
            task = load_task(d)
            rows = [sizes(task, fid) for fid in task.maskable()]
        except (AutoexpError, OSError, ValueError) as e:
            print(f"{d.name:<22} skipped: {type(e).__name__}: {str(e).splitlines()[0][:60]}")
            continue
        if not rows:
            print(f"{task.id:<22} skipped: no maskable functions")
            continue
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
    print(
        f"\nover {len(ratios_all)} functions, mean ratio agentless / full-repo prompt: "
        f"{statistics.mean(ratios_all):.3f}; code context / all code: "
        f"{statistics.mean(code_all):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
