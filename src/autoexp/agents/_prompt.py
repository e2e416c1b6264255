"""Building the prompt an agent gets, from package templates (jinja2)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache

import jinja2

from autoexp.agents._tools import INNER_WORKSPACE
from autoexp.agents._types import Budget, ExperimentBrief, FunctionBrief, Prompt
from autoexp.tasks._model import Task

DEFAULT_TEMPLATE = "default.md.j2"
"""The template of agents without one of their own; its agent submits by writing
`Prompt.results_file` at the workspace root (the runner reads it when the agent returns no
results)."""


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("autoexp.agents", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def budget_lines(budget: Budget) -> list[str]:
    """The budget as sentences for the prompt."""
    lines = [f"at most {budget.max_steps} steps (model calls)"]
    if budget.max_tokens:
        lines.append(f"at most {budget.max_tokens} tokens in total")
    if budget.max_cost:
        lines.append(f"at most ${budget.max_cost:g} of model cost")
    lines.append(f"at most {budget.max_wall_s:g} s of command time")
    return lines


def _paper_text(task: Task, combo: Sequence[str], paper: str) -> str:
    if paper == "none":
        return ""
    if paper == "excerpts":
        parts = [task.function(f).paper_excerpt for f in combo]
        unique = dict.fromkeys(p.strip() for p in parts if p)  # functions may share a passage
        return "\n\n".join(unique)
    return task.paper()


def render_prompt(
    agent_name: str,
    task: Task,
    combo: Sequence[str],
    *,
    commands: str = "given",
    paper: str = "full",
    descriptions: bool = True,
    budget: Budget | None = None,
    results_file: str = "results.json",
    submit_hint: str = "",
    workspace: str = INNER_WORKSPACE,
    sandboxed: bool = True,
) -> Prompt:
    """The prompt of `agent_name` for `task` with `combo` masked.

    Uses `templates/<agent_name>.md.j2` when the package has it, else `default.md.j2`.
    `commands`, `paper` and `descriptions` are the information setting's switches.
    `workspace` is the workspace's path as the agent sees it (`/workspace` in the sandbox, the
    host path without one); `sandboxed` says whether its commands run isolated (no network).
    """
    budget = budget or Budget()
    exps = [
        ExperimentBrief(
            id=e.id,
            description=e.description,
            command=e.command if commands == "given" else None,
            metrics=list(e.metrics),
        )
        for e in task.experiments_for(combo)
    ]
    fns = [
        FunctionBrief(id=f, description=task.function(f).description if descriptions else None)
        for f in combo
    ]
    example = {e.id: dict.fromkeys(e.metrics, 0.0) for e in exps}
    paper_text = _paper_text(task, combo, paper)
    env = _env()
    name = prompt_template(agent_name)
    text = env.get_template(name).render(
        title=task.spec.title,
        task_id=task.id,
        paper=paper_text,
        experiments=exps,
        functions=fns,
        results_file=results_file,
        example_results=json.dumps(example, indent=2),
        budget=budget,
        budget_lines=budget_lines(budget),
        submit_hint=submit_hint,
        commands_hidden=commands != "given",
        paper_is_excerpts=paper == "excerpts",
        workspace=workspace,
        sandboxed=sandboxed,
    )
    return Prompt(
        text=text,
        task_id=task.id,
        paper=paper_text,
        experiments=exps,
        functions=fns,
        results_file=results_file,
        template=name,
    )


def prompt_template(agent_name: str) -> str:
    """The template `agent_name`'s prompt is rendered from: its own, the command agent's for a
    preset (a CLI agent run by the command agent), else DEFAULT_TEMPLATE."""
    from autoexp.agents._presets import find_preset

    own = f"{agent_name}.md.j2"
    ok = not agent_name.startswith("_") and own in _env().list_templates()  # _x: partials
    if ok:
        return own
    return "command.md.j2" if find_preset(agent_name) is not None else DEFAULT_TEMPLATE
