"""Preparing an attempt's workspace and prompt: exactly what the agent gets."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from autoexp._io import read_agent_file
from autoexp.agents._agentless import first_message
from autoexp.agents._prompt import render_prompt
from autoexp.agents._tools import INNER_WORKSPACE
from autoexp.agents._types import Budget, Prompt, Setting
from autoexp.errors import LeakError
from autoexp.grading import parse_report
from autoexp.masking import leak_check, mask_tree
from autoexp.tasks._model import Task

AGENT_DIR = ".autoexp"
"""Directory inside the workspace for harness files (prompt, results); removed before grading."""


class Prepared(BaseModel):
    """A prepared workspace."""

    model_config = ConfigDict(arbitrary_types_allowed=True, use_attribute_docstrings=True)

    workspace: Path
    """The agent's working copy (masked code)."""
    prompt: Prompt
    """The rendered prompt."""
    originals: dict[str, str]
    """Original bodies of the masked functions (never shown to the agent)."""
    agent: str = "default"
    """The agent the prompt is for."""
    code_dir: Path | None = None
    """The task's original code the workspace was copied from."""
    masked: dict[str, str] = Field(default_factory=dict)
    """Relative path -> text of each file in which something was masked, as the agent got it."""
    files: frozenset[str] = frozenset()
    """Relative posix paths of the files the workspace started with."""

    def pristine(self, rel: str, cap: int) -> tuple[bytes | None, str | None]:
        """What file `rel` of the workspace held before the agent started, as `read_agent_file`
        gives it ((data, None), (None, None) when there was no such file, (None, why) when it
        is over `cap` bytes). Read from the original code (with the masked files' text), so
        the workspace needs no second copy to tell what the agent changed."""
        if rel in self.masked:
            data = self.masked[rel].encode("utf-8")
            too_large = f"{Path(rel).name} is {len(data)} bytes, more than the {cap} allowed"
            return (data, None) if len(data) <= cap else (None, too_large)
        if self.code_dir is None or rel not in self.files:
            return None, None
        path = self.code_dir / rel  # copied from here, following symlinks as copy_code does
        try:
            size = path.stat().st_size
            if size > cap:
                return None, f"{path.name} is {size} bytes, more than the {cap} allowed"
            data = path.read_bytes()
        except OSError as e:
            return None, f"{path.name} cannot be read ({e.strerror or e})"
        return (data, None) if len(data) <= cap else (None, f"{path.name} is more than {cap} bytes")


def prepare_workspace(
    task: Task,
    combo: Sequence[str],
    scratch: Path,
    *,
    agent_name: str = "default",
    setting: Setting | None = None,
    budget: Budget | None = None,
    sandboxed: bool = True,
) -> Prepared:
    """Mask `combo` in a copy of the task's code under `scratch`, check for leaks, render the prompt.

    `scratch/workspace` is the agent's copy; what it held before the agent started stays
    readable through `Prepared.pristine` (from the original code, without a second copy).
    Raises LeakError when any line of a masked body survives in the workspace.
    The prompt names the workspace as the agent will see it: `/workspace` when its commands run
    in the sandbox (`sandboxed`), else its host path.
    """
    setting = setting or Setting()
    descriptions = [
        (f, task.function(f).description if setting.descriptions else None) for f in combo
    ]
    workspace = scratch / "workspace"
    masked = mask_tree(task.code_dir, workspace, descriptions)
    leaks = leak_check(workspace, masked.originals)
    if leaks:
        shown = "; ".join(str(leak) for leak in leaks[:5])
        raise LeakError(f"task {task.id}: masked code survives in the workspace: {shown}")
    prompt = render_prompt(
        agent_name,
        task,
        combo,
        commands=setting.commands,
        paper=setting.paper,
        descriptions=setting.descriptions,
        budget=budget,
        workspace=INNER_WORKSPACE if sandboxed else str(workspace),
        sandboxed=sandboxed,
    )
    return Prepared(
        workspace=workspace,
        prompt=prompt,
        originals=masked.originals,
        agent=agent_name,
        code_dir=task.code_dir,
        masked={rel: (workspace / rel).read_text(encoding="utf-8") for rel in masked.masked_files},
        files=_listing(workspace),
    )


def _listing(root: Path) -> frozenset[str]:
    """Relative posix paths of the files under `root` (symlinks not followed)."""
    out: list[str] = []
    for dirpath, _, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out += [prefix + name for name in filenames]
    return frozenset(out)


FIRST_MESSAGES: dict[str, Callable[[Path, Prompt], str]] = {"agentless": first_message}
"""Agents whose model is first given more than the prompt -> how they build that message from
the workspace and the prompt (the agentless agent adds the code around the masked functions)."""


def agent_message(prepared: Prepared) -> str:
    """The prompt as the agent of `prepared` first gives it to its model: FIRST_MESSAGES' message
    for the agents listed there, else the prompt's text."""
    build = FIRST_MESSAGES.get(prepared.agent)
    return build(prepared.workspace, prepared.prompt) if build else prepared.prompt.text


def write_prepared(prepared: Prepared, out: Path) -> None:
    """Copy a prepared workspace and its prompt to `out` (for `autoexp prepare`): prompt.md is
    the message the agent's model is first given (`agent_message`), prompt.json the Prompt the
    agent's `run` is given."""
    message = agent_message(prepared)  # from the workspace as prepared, before anything else
    shutil.copytree(prepared.workspace, out / "workspace")
    (out / "prompt.md").write_text(message, encoding="utf-8")
    (out / "prompt.json").write_text(prepared.prompt.model_dump_json(indent=2), encoding="utf-8")


MAX_RESULTS_BYTES = 10_000_000
"""Largest results file read from a workspace (a bigger one is an invalid report)."""


def read_results_file(prepared: Prepared) -> tuple[dict[str, dict[str, float]] | None, str | None]:
    """What an agent with the default prompt submitted: `Prompt.results_file` at the workspace
    root, as (results, None), (None, why it is invalid) or (None, None) when there is no file.

    The file is the agent's: it is opened without following a symlink, and one that is not a
    regular file or is larger than MAX_RESULTS_BYTES is an invalid report, never read. A file
    the codebase itself ships, left unchanged, is not a submission.
    """
    name = prepared.prompt.results_file
    data, problem = read_agent_file(prepared.workspace / name, MAX_RESULTS_BYTES)
    if data is None:
        return None, problem
    shipped, _ = prepared.pristine(name, MAX_RESULTS_BYTES)
    if shipped == data:
        return None, None  # the repository's own file, untouched: the agent submitted nothing
    return parse_report(data)
