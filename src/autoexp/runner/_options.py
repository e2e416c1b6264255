"""The options of `autoexp run` as one typed model: the command line's parameters are generated
from its fields (name, type, default, constraints, docstring as help), and the library turns the
options into a RunConfig and agent specs.

This module imports only pydantic and autoexp.errors, so that `autoexp --help` stays light; what
the options build is imported when it is built.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo

from autoexp.errors import AutoexpError, ConfigError

if TYPE_CHECKING:
    from autoexp.agents._types import AgentSpec, Setting
    from autoexp.runner._plan import RunConfig
    from autoexp.tasks._model import Task


@dataclass(frozen=True)
class Cli:
    """How a RunOptions field appears on the command line, and what it sets in RunConfig."""

    sets: str | None = None
    """The RunConfig field it sets, or `field.sub_field` (None: not part of the config)."""
    short: str | None = None
    """A short flag besides `--kebab-name`, e.g. `-a`."""
    argument: bool = False
    """A positional argument rather than an option."""


_AGENTS = Cli(sets="agents")
_SETTINGS = Cli(sets="settings")


class RunOptions(BaseModel):
    """The options of `autoexp run`, one field each: `--kebab-name`, its type, default and
    constraints, and its docstring as the option's help. `model_fields_set` holds the options
    given (on resume only those change the stored config)."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, extra="forbid", frozen=True, defer_build=True
    )

    tasks: Annotated[list[str] | None, Cli(sets="tasks", argument=True)] = None
    """Built-in task ids, task directories or folders (default: built-in suite)."""
    agent: Annotated[list[str] | None, Cli(sets="agents", short="-a")] = None
    """Agent NAME or NAME:MODEL; repeatable (default: oracle and noop)."""
    model: Annotated[str | None, _AGENTS] = None
    """Model for model-driven agents."""
    base_url: Annotated[str | None, _AGENTS] = None
    """OpenAI-compatible endpoint (default: $OPENAI_BASE_URL)."""
    api_key_env: Annotated[str, _AGENTS] = "OPENAI_API_KEY"
    """Env var holding the API key."""
    agent_cmd: Annotated[str | None, _AGENTS] = None
    """Command template of the `command` agent."""
    agent_network: Annotated[bool, _AGENTS] = False
    """Give the command agent's process network (grading never has it)."""
    agent_env: Annotated[list[str] | None, _AGENTS] = None
    """Host env var passed to the command agent (e.g. its API key); repeatable."""
    agent_option: Annotated[list[str] | None, _AGENTS] = None
    """Agent or model option KEY=VALUE (YAML value); repeatable."""
    tool_format: Annotated[Literal["native", "text"], _AGENTS] = "native"
    """react tool protocol: the API's native tool calls, or tool blocks in the reply's text."""
    n: Annotated[str, Cli(sets="ns")] = "1"
    """Numbers of masked functions, e.g. 1,2."""
    trials: Annotated[int, Cli(sets="trials"), Field(ge=1)] = 1
    """Trials per combo and agent."""
    combos_per_n: Annotated[int, Cli(sets="combos_per_n"), Field(ge=0)] = 1
    """Combos drawn per task and n (0: all)."""
    combos: Annotated[Literal["drawn", "published"], Cli(sets="combos")] = "drawn"
    """drawn: combos drawn by --seed; published: the task's fixed combos (e.g. an imported
    benchmark's), all of them unless --combos-per-n is given."""
    workers: Annotated[int, Cli(sets="workers"), Field(ge=1)] = os.cpu_count() or 1
    """Parallel attempts (local executor)."""
    executor: Annotated[Literal["local", "ray"], Cli(sets="executor")] = "local"
    """Where attempts run: local (a process pool of --workers) or ray (one Ray task per
    attempt; needs autoexp[ray], see docs/scale.md)."""
    ray_address: Annotated[str | None, Cli(sets="ray_address")] = None
    """Ray cluster for --executor ray: auto, HOST:PORT or ray://HEAD:10001 (default: start a
    local Ray instance)."""
    seed: Annotated[int, Cli(sets="seed")] = 0
    """Seed of the combo draw."""
    max_retries: Annotated[int, Cli(sets="max_retries"), Field(ge=0)] = 2
    """Retries of an attempt's infra errors, within the run (with backoff) and on --resume,
    counted over the attempt's life."""
    preflight: Annotated[bool, Cli(sets="preflight")] = True
    """Check each model endpoint with one cheap request before running."""
    max_api_failures: Annotated[int, Cli(sets="max_api_failures"), Field(ge=0)] = 5
    """Stop after this many consecutive model API errors on one endpoint (the rest stays for
    --resume); 0: never stop."""
    max_steps: Annotated[int, Cli(sets="budget.max_steps"), Field(ge=1)] = 50
    """Budget: model calls."""
    max_tokens: Annotated[int | None, Cli(sets="budget.max_tokens"), Field(ge=1)] = None
    """Budget: tokens in + out."""
    max_cost: Annotated[float | None, Cli(sets="budget.max_cost"), Field(gt=0)] = None
    """Budget: dollars."""
    max_wall: Annotated[float, Cli(sets="budget.max_wall_s"), Field(gt=0)] = 1800.0
    """Budget: seconds of tool time."""
    run_dir: Path | None = None
    """Run directory (default: runs/<new id>)."""
    resume: bool = False
    """Finish an interrupted run and retry its infra errors (options that change the plan are
    refused; workers, retries, budgets and sandbox limits apply)."""
    backend: Annotated[Literal["auto", "bwrap", "none"], Cli(sets="backend")] = "auto"
    """Sandbox backend: bwrap, none (plain processes), or auto (bwrap when it works)."""
    memory_mb: Annotated[int, Cli(sets="sandbox.memory_mb"), Field(ge=1)] = 4096
    """Sandbox memory limit per process, in MB."""
    sandbox_ro: Annotated[list[Path] | None, Cli(sets="sandbox.extra_ro")] = None
    """Extra host path visible read-only in the sandbox (e.g. a CLI agent's install);
    repeatable."""
    setting: Annotated[list[str] | None, _SETTINGS] = None
    """Information setting: preset pc+cmd (default), pc or reproduce, or switches like
    'commands=hidden,paper=none'; repeatable."""
    commands: Annotated[Literal["given", "hidden"] | None, _SETTINGS] = None
    """Experiment commands in the prompt (given), or only their descriptions (hidden)."""
    paper: Annotated[Literal["full", "none", "excerpts"] | None, _SETTINGS] = None
    """The paper given: full, none, or excerpts (its passages for the masked functions)."""
    descriptions: Annotated[Literal["on", "off"] | None, _SETTINGS] = None
    """Masked functions keep their description (on) or only their signature (off)."""
    integrity: Annotated[Literal["strict", "warn"], Cli(sets="integrity")] = "strict"
    """strict: a masked body that exits the process, replaces stdout or builtins, reaches into
    frames, patches modules or runs dynamic code fails the attempt; warn: only flag it."""
    no_progress: bool = False
    """No progress bar."""
    no_report: bool = False
    """Do not write report/ at the end."""

    @field_validator("n")
    @classmethod
    def _check_ns(cls, value: str) -> str:
        _parse_ns(value)
        return value

    @field_validator("agent_option")
    @classmethod
    def _check_agent_options(cls, value: list[str] | None) -> list[str] | None:
        for item in value or []:
            key, sep, _ = item.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"takes KEY=VALUE, got {item!r}")
        return value

    @property
    def ns(self) -> list[int]:
        """The numbers of masked functions `n` names, sorted."""
        return _parse_ns(self.n)

    def agent_specs(self) -> list[AgentSpec]:
        """One AgentSpec per --agent (default: oracle and noop). The agent options go to every
        agent but oracle and noop; --model to every agent but those two (a command agent or
        preset gets it as {model} and $AUTOEXP_MODEL)."""
        import yaml

        from autoexp.agents import AgentSpec

        options: dict[str, Any] = {"tool_format": self.tool_format}
        if self.agent_cmd:
            options["cmd"] = self.agent_cmd
        if self.agent_network:
            options["network"] = True
        if self.agent_env:
            options["pass_env"] = list(self.agent_env)
        for item in self.agent_option or []:
            key, _, value = item.partition("=")
            options[key.strip()] = yaml.safe_load(value)
        specs = []
        for a in self.agent or ["oracle", "noop"]:
            name, _, model = a.partition(":")
            uses_model = name not in ("oracle", "noop")  # command agents get $AUTOEXP_MODEL
            specs.append(
                AgentSpec(
                    name=name,
                    model=model or (self.model if uses_model else None),
                    base_url=self.base_url,
                    api_key_env=self.api_key_env,
                    options=dict(options) if name not in ("oracle", "noop") else {},
                )
            )
        return specs

    def settings(self) -> list[Setting]:
        """The settings of --setting (default: pc+cmd), each changed by --commands, --paper and
        --descriptions, without duplicates."""
        from autoexp.settings import resolve_settings, setting_from_switches

        desc = None if self.descriptions is None else self.descriptions == "on"
        out: list[Setting] = []
        for base in resolve_settings(self.setting):
            s = setting_from_switches(
                base, commands=self.commands, paper=self.paper, descriptions=desc
            )
            if s not in out:
                out.append(s)
        return out

    def to_config(self) -> RunConfig:
        """The RunConfig these options describe (a new run's; see `run_config` for resume)."""
        from autoexp.agents import Budget
        from autoexp.runner._plan import RunConfig
        from autoexp.sandbox import SandboxConfig

        return RunConfig(
            tasks=list(self.tasks or []),
            agents=self.agent_specs(),
            ns=self.ns,
            trials=self.trials,
            combos_per_n=self._combos_per_n(),
            combos=self.combos,
            seed=self.seed,
            settings=self.settings(),
            budget=Budget(
                max_steps=self.max_steps,
                max_tokens=self.max_tokens,
                max_cost=self.max_cost,
                max_wall_s=self.max_wall,
            ),
            workers=self.workers,
            executor=self.executor,
            ray_address=self.ray_address,
            max_retries=self.max_retries,
            sandbox=SandboxConfig(
                memory_mb=self.memory_mb, extra_ro=[p.resolve() for p in self.sandbox_ro or []]
            ),
            backend=self.backend,
            integrity=self.integrity,
            preflight=self.preflight,
            max_api_failures=self.max_api_failures,
        )

    def _combos_per_n(self) -> int | None:
        """--combos-per-n as the config takes it: None for all (0, or published combos
        without the option)."""
        if self.combos == "published" and "combos_per_n" not in self.model_fields_set:
            return None
        return self.combos_per_n or None

    def resume_changes(self) -> dict[str, Any]:
        """What the options given (`model_fields_set`) set in the config, for `resume_config`:
        RunConfig field -> value, or -> {sub-field: value} for budget and sandbox."""
        config = self.to_config()
        changes: dict[str, Any] = {}
        for name in sorted(self.model_fields_set):
            target = cli_of(name).sets
            if target is None:
                continue
            field, _, sub = target.partition(".")
            if sub:
                changes.setdefault(field, {})[sub] = getattr(getattr(config, field), sub)
            else:
                changes[field] = getattr(config, field)
        return changes

    def run_config(self) -> RunConfig:
        """The config `autoexp run` runs with these options: with `resume`, the run directory's
        stored config changed by the options given; else `to_config()`, its agents validated
        (ConfigError) before anything is planned."""
        from autoexp.runner._plan import resume_config

        if self.resume:
            from autoexp.runner._run import load_run_file

            if self.run_dir is None:
                raise ConfigError("--resume needs --run-dir")
            return resume_config(load_run_file(self.run_dir).config, self.resume_changes())
        from autoexp.agents import validate_agent_spec

        config = self.to_config()
        for spec in config.agents:
            validate_agent_spec(spec)
        return config

    def first_combo(self, task: Task) -> tuple[str, ...]:
        """The functions masked in the first attempt `run` plans on `task` with these options
        (what `autoexp prepare` masks)."""
        from autoexp.runner._plan import plan_attempts

        specs, skipped = plan_attempts([task], self.to_config())
        if not specs:
            why = "; ".join(f"n={s.n}: {s.why}" for s in skipped) or "nothing planned"
            raise AutoexpError(f"task {task.id}: {why}")
        return specs[0].combo


def _parse_ns(text: str) -> list[int]:
    try:
        ns = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise ValueError(f"takes integers separated by commas, got {text!r}") from None
    if not ns or min(ns) < 0:
        raise ValueError("needs at least one integer >= 0")
    return ns


def cli_of(name: str, model: type[BaseModel] = RunOptions) -> Cli:
    """The Cli marker of a field (a plain option setting nothing when it has none)."""
    return next((m for m in model.model_fields[name].metadata if isinstance(m, Cli)), Cli())


def flag_of(name: str, model: type[BaseModel] = RunOptions) -> str:
    """How a field is written on the command line: `--kebab-name`, or `TASKS` for an argument."""
    return name.upper() if cli_of(name, model).argument else "--" + name.replace("_", "-")


def choices_of(field: FieldInfo) -> tuple[str, ...]:
    """The values a Literal (or optional Literal) field accepts; () for other fields."""
    ann = field.annotation
    if get_origin(ann) is not Literal:
        ann = next((a for a in get_args(ann) if get_origin(a) is Literal), None)
    return tuple(get_args(ann)) if ann is not None else ()


def options_of(config_field: str) -> str:
    """The `autoexp run` options that set a RunConfig field, for messages: `--trials`, or
    `the tasks` for the arguments."""
    names = [
        "the " + name if cli_of(name).argument else flag_of(name)
        for name in RunOptions.model_fields
        if (cli_of(name).sets or "").partition(".")[0] == config_field
    ]
    return ", ".join(names)


def explain(error: ValidationError, model: type[BaseModel] = RunOptions) -> str:
    """A ValidationError of the options as the command line's words, one clause per error:
    `--descriptions takes on or off, got 'maybe'`."""
    parts = []
    for e in error.errors():
        name = str(e["loc"][0]) if e["loc"] else ""
        if name not in model.model_fields:
            parts.append(e["msg"])
            continue
        flag = flag_of(name, model)
        choices = choices_of(model.model_fields[name])
        if e["type"] == "literal_error" and choices:
            listed = " or ".join(filter(None, [", ".join(choices[:-1]), choices[-1]]))
            parts.append(f"{flag} takes {listed}, got {e['input']!r}")
        elif e["type"] == "value_error":
            parts.append(f"{flag} {e['ctx']['error']}")
        else:
            parts.append(f"{flag}: {e['msg']}")
    return "; ".join(parts)
