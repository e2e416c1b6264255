"""`autoexp_suite`: the suite as an Inspect task, one sample per (task, combo)."""

from __future__ import annotations

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import Sample
from inspect_ai.solver import Solver, basic_agent, system_message
from inspect_ai.tool import bash, python
from inspect_ai.util import SandboxEnvironmentSpec

from autoexp.agents._prompt import render_prompt
from autoexp.agents._types import AgentSpec, Budget
from autoexp.grading._types import IntegrityMode
from autoexp.inspect._sandbox import SANDBOX_NAME
from autoexp.inspect._scorer import autoexp_scorer
from autoexp.inspect._types import AGENT_NAME, AutoexpSandboxConfig, SampleInfo
from autoexp.runner._plan import ComboSource, RunConfig, plan_attempts
from autoexp.runner._types import AttemptSpec
from autoexp.settings import parse_setting
from autoexp.tasks._load import resolve_tasks

SYSTEM_MESSAGE = (
    "You are a research engineer. You work in a sandbox with the bash and python tools; the "
    "code is in /workspace, the only place you can write, and there is no network. Do what "
    "the task asks, write the results file it names, then call submit()."
)
"""System message of the default solver."""


def sample_id(spec: AttemptSpec) -> str:
    """A sample's stable id: `<task>/<combo>`, the combo's functions joined by `+`."""
    return f"{spec.task_id}/{'+'.join(spec.combo) or '(none)'}"


def suite_samples(
    tasks: list[str] | None,
    config: RunConfig,
) -> list[Sample]:
    """One sample per (task, combo) that `autoexp run` plans with `config` (its first agent,
    setting and trial): the same draw, the same prompt."""
    loaded = resolve_tasks(tasks)
    by_root = {str(t.root): t for t in loaded}
    specs, _skipped = plan_attempts(loaded, config)
    samples = []
    for spec in specs:
        if spec.trial != 0:
            continue
        prompt = render_prompt(
            AGENT_NAME,
            by_root[spec.task_root],
            spec.combo,
            commands=spec.setting.commands,
            paper=spec.setting.paper,
            descriptions=spec.setting.descriptions,
            budget=spec.budget,
        )
        info = SampleInfo(
            task_id=spec.task_id,
            task_root=spec.task_root,
            combo=spec.combo,
            setting=spec.setting,
            budget=spec.budget,
            integrity=spec.integrity,
            seed=spec.seed,
        )
        samples.append(
            Sample(id=sample_id(spec), input=prompt.text, metadata=info.model_dump(mode="json"))
        )
    return samples


def default_solver(max_steps: int, command_timeout_s: int) -> Solver:
    """Inspect's basic ReAct agent with bash and python tools (both run in the autoexp
    sandbox) and at most `max_steps` model calls (as a message limit)."""
    return basic_agent(
        init=system_message(SYSTEM_MESSAGE),
        tools=[bash(timeout=command_timeout_s), python(timeout=command_timeout_s)],
        message_limit=2 * max_steps + 2,
    )


@task
def autoexp_suite(
    tasks: str | list[str] | None = None,
    n: int = 1,
    combos_per_n: int | None = 1,
    combos: str = "drawn",
    seed: int = 0,
    setting: str = "pc+cmd",
    epochs: int = 1,
    max_steps: int = 50,
    max_wall_s: float = 1800.0,
    command_timeout_s: int = 600,
    integrity: str = "strict",
    backend: str = "auto",
) -> Task:
    """The autoexp suite as an Inspect task: one sample per (task, combo), graded as autoexp
    grades an attempt (re-run, hidden experiments, differential tests, integrity scan).

    Args:
      tasks: Built-in task ids or task directories, comma-separated (None: the built-in suite).
      n: Number of masked functions per combo.
      combos_per_n: Combos per task (None: all of them).
      combos: `drawn` (by seed, as `autoexp run` draws them) or `published` (task.yaml's).
      seed: Seed of the combo draw.
      setting: Information setting: a preset (pc+cmd, pc, reproduce) or switches.
      epochs: Trials per sample (Inspect's `--epochs` overrides it).
      max_steps: Model calls of the default solver at most (also stated in the prompt).
      max_wall_s: Working time of a sample at most, in seconds (Inspect's working limit,
        which counts model time too; also stated in the prompt).
      command_timeout_s: Timeout of each command the solver runs.
      integrity: strict (an integrity finding fails the sample) or warn.
      backend: autoexp sandbox backend: auto, bwrap or none.
    """
    refs = tasks.split(",") if isinstance(tasks, str) else tasks
    refs = [r.strip() for r in refs or [] if r.strip()]
    config = RunConfig(
        tasks=refs,
        agents=[AgentSpec(name=AGENT_NAME)],
        ns=[n],
        combos_per_n=combos_per_n,
        combos=ComboSource(combos),
        seed=seed,
        settings=[parse_setting(setting)],
        budget=Budget(max_steps=max_steps, max_wall_s=max_wall_s),
        integrity=IntegrityMode(integrity),
    )
    samples = suite_samples(refs, config)
    if not samples:
        raise ValueError(
            f"autoexp_suite: no (task, combo) for tasks={tasks!r}, n={n}, combos={combos}"
        )
    sandbox_config = AutoexpSandboxConfig(backend=backend, command_timeout_s=command_timeout_s)
    return Task(
        dataset=samples,
        solver=default_solver(max_steps, command_timeout_s),
        scorer=autoexp_scorer(),
        sandbox=SandboxEnvironmentSpec(SANDBOX_NAME, sandbox_config),
        epochs=Epochs(epochs),
        working_limit=int(max_wall_s),
        metadata={"autoexp_config": config.model_dump(mode="json")},
    )
