"""Agent presets: named, versioned recipes over the command agent.

A preset says how to install a CLI agent into a cached environment outside the workspace, the
command line and environment it runs with, how autoexp's budgets map onto the tool's own limits,
and how to read its usage and trajectory. The built-in presets are the YAML files of
`autoexp/agents/presets/`; users add their own files (same shape) in the directories or files
named by `$AUTOEXP_PRESETS` (separated by `:`), else `~/.config/autoexp/presets/`. A user
preset with the name of a built-in one replaces it.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from autoexp.errors import ConfigError

PRESETS_ENV = "AUTOEXP_PRESETS"
"""Directories or files of user presets, separated by `:`."""
PRESET_SCHEMA = 1
"""Version of the preset file format."""
RESERVED = frozenset({"oracle", "noop", "react", "agentless", "command"})
"""Names of autoexp's own agents, which no preset may take."""


class UsageFormat(StrEnum):
    """Where a command agent's usage (tokens, cost, steps, conversation) comes from."""

    AUTOEXP = "autoexp"
    """The tool writes `$AUTOEXP_USAGE` itself (or nothing: usage unknown)."""
    MINI_SWE_AGENT = "mini-swe-agent"
    """mini-swe-agent's trajectory (`.traj.json`, format mini-swe-agent-1.1) is converted."""


class OptionalValue(StrEnum):
    """Values a preset can pass to its tool only when they are set."""

    MODEL = "model"
    BASE_URL = "base_url"
    MAX_STEPS = "max_steps"
    MAX_TOKENS = "max_tokens"
    MAX_COST = "max_cost"
    MAX_WALL = "max_wall"


class Preset(BaseModel):
    """One preset file (`autoexp agents list` shows them)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    schema_: int = Field(default=PRESET_SCHEMA, alias="schema")
    """Format version of the file (1)."""
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    """The agent name: `autoexp run --agent NAME`."""
    version: str
    """Version of the tool the preset pins (part of its install directory's name)."""
    description: str = ""
    """One line for `autoexp agents list`."""
    requirements: list[str] = Field(default_factory=list)
    """pip requirements installed into the tool's environment by `autoexp agents install`
    (pin them: the preset is a tested recipe); empty: the tool is on the system already."""
    warmup: str | None = None
    """Command run once after the install, with the environment's `bin/` first on PATH (to check
    that the tool starts and to byte-compile what it imports: the sandbox mounts it read-only)."""
    executable: str
    """The tool's program: a name in the environment's `bin/` (or on PATH without requirements)."""
    cmd: str
    """Command template (the command agent's placeholders, plus {tool}: the tool's environment
    directory, and {home}: the agent's home)."""
    args_when_set: dict[OptionalValue, str] = Field(default_factory=dict)
    """Arguments appended to `cmd` only when a value is set, e.g. `max_cost: -c
    agent.cost_limit={max_cost}`: how autoexp's budgets (and model, base URL) reach the tool."""
    env: dict[str, str] = Field(default_factory=dict)
    """Environment of the tool's process (values are templates like `cmd`)."""
    api_key_var: str | None = None
    """The variable the tool reads its API key from: set from the host's `--api-key-env`
    (a dummy key when a --base-url is given and the host variable is unset)."""
    network: bool = True
    """Whether the tool's process gets network (to reach its model API)."""
    needs_model: bool = True
    """Whether `--model` is required."""
    usage: UsageFormat = UsageFormat.AUTOEXP
    """How to read the tool's usage and conversation."""
    trajectory: str | None = None
    """The tool's own trajectory file, relative to the agent's home (read for `usage`)."""
    verified_by: str | None = None
    """The test that runs this preset end to end (None: unverified)."""
    source: str = Field(default="", exclude=True)
    """Where it was loaded from (filled by the loader)."""

    @field_validator("name")
    @classmethod
    def _not_an_agent(cls, value: str) -> str:
        if value in RESERVED:
            raise ValueError(f"{value!r} is the name of one of autoexp's agents")
        return value

    @field_validator("schema_")
    @classmethod
    def _known_schema(cls, value: int) -> int:
        if value > PRESET_SCHEMA:
            raise ValueError(f"schema {value} is newer than this autoexp reads ({PRESET_SCHEMA})")
        return value

    @property
    def install_name(self) -> str:
        """Directory name of its environment: `NAME-VERSION`."""
        return f"{self.name}-{self.version}"


def _load_file(path: Path, source: str) -> Preset:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a mapping")
        return Preset.model_validate({**data, "source": source})
    except (OSError, yaml.YAMLError, ValueError, ValidationError) as e:
        raise ConfigError(f"agent preset {source}: {e}") from None


@cache
def _builtin() -> tuple[Preset, ...]:
    root = resources.files("autoexp.agents").joinpath("presets")
    out = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            out.append(_load_file(Path(str(entry)), f"built-in {entry.name}"))
    return tuple(out)


def user_preset_paths() -> list[Path]:
    """Where user presets are read from: `$AUTOEXP_PRESETS`, else ~/.config/autoexp/presets."""
    raw = os.environ.get(PRESETS_ENV)
    if raw is not None:
        return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return [Path(config) / "autoexp" / "presets"]


def _user() -> list[Preset]:
    out = []
    for root in user_preset_paths():
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            continue
        out.extend(_load_file(f, str(f)) for f in files)
    return out


def presets() -> dict[str, Preset]:
    """Every preset by name: the built-in ones (read once), then the user's (read at each call,
    so an edited file counts; a user file replaces a built-in preset of its name). A broken file
    is a ConfigError naming it."""
    found: dict[str, Preset] = {}
    for preset in [*_builtin(), *_user()]:
        found[preset.name] = preset
    return found


def find_preset(name: str) -> Preset | None:
    """The preset called `name`, if any (agent names of autoexp's own agents are never presets)."""
    return presets().get(name)
