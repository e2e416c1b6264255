"""The `command` agent: any external CLI agent, run inside the sandbox from a command template.

The prompt is written to `<workspace>/.autoexp/prompt.md`; the CLI submits by writing the
results JSON to the file named by $AUTOEXP_RESULTS (`<workspace>/.autoexp/results.json`). It may
also write its usage to $AUTOEXP_USAGE (see `autoexp.agents._usage`). Its HOME is a fresh
directory outside the workspace, `attempts/<id>/home` (mounted read-write at /home/agent in the
sandbox): never diffed, merged or graded. The runner deletes `.autoexp/` before grading.
"""

from __future__ import annotations

import math
import os
import shlex
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autoexp._io import read_agent_file
from autoexp.agents._cmdutil import fill, log_tail, with_mounts, workspace_state
from autoexp.agents._meter import Recorder
from autoexp.agents._presets import OptionalValue, UsageFormat
from autoexp.agents._tools import INNER_WORKSPACE
from autoexp.agents._types import AgentResult, Budget, Prompt
from autoexp.agents._usage import Usage, read_mini_trajectory, read_usage
from autoexp.errors import AutoexpError, InfraError
from autoexp.grading import EndState, parse_report
from autoexp.protocols import Sandbox
from autoexp.sandbox._types import Isolation

AGENT_DIR = ".autoexp"
"""Harness directory inside the workspace (the runner removes it before grading)."""
HOME_DIR = "home"
"""The agent's HOME on the host: `attempts/<id>/home`."""
AGENT_HOME = "/home/agent"
"""Where the agent's HOME appears inside the sandbox (without one: its host path)."""
TRAJECTORY_FILE = "trajectory.json"
LOG_FILE = "agent.log"
MAX_RESULTS_BYTES = 10_000_000
"""Largest results file read back (a bigger one is an invalid report, never read)."""
QUICK_EXIT_S = 60.0
"""An agent that exits non-zero sooner than this, without touching the workspace, writing
results or using a token, failed to start: `agent_error`, with the tail of its log."""
NO_KEY = "autoexp-no-key"
"""The API key a preset's tool gets for a --base-url when the host's key variable is unset."""
PLACEHOLDERS = (
    "prompt_file",
    "workspace",
    "results_file",
    "model",
    "base_url",
    "max_steps",
    "max_tokens",
    "max_cost",
    "max_wall",
    "home",
    "tool",
)
"""Names that may appear in braces in the `cmd` template."""


class AgentExited(Exception):
    """The CLI agent exited non-zero at once, without working (a set-up problem, usually)."""


class CommandOptions(BaseModel):
    """Options of the command agent (AgentSpec.options); presets fill the last five."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    cmd: str
    """Command template, e.g. `mycli --prompt-file {prompt_file} --cwd {workspace}`. Placeholders
    ({prompt_file}, {workspace}, {results_file}, {model}, {base_url}, {max_steps}, {max_tokens},
    {max_cost}, {max_wall}, {home}, {tool}) become shell-quoted paths and values as seen inside
    the sandbox (an unset budget is empty); write `{{` and `}}` for literal braces."""
    network: bool = False
    """Give the agent's process network access (e.g. to reach its model API)."""
    env: dict[str, str] = Field(default_factory=dict)
    """Extra environment variables for the agent's process ({home}, {model}, ... in a value are
    filled, unquoted)."""
    pass_env: list[str] = Field(default_factory=list)
    """Host environment variables passed through (each must be set on the host)."""
    args_when_set: dict[OptionalValue, str] = Field(default_factory=dict)
    """Arguments appended to the command only when their value is set, e.g.
    `{max_cost: '--cost-limit {max_cost}'}`."""
    api_key_var: str | None = None
    """Variable set inside from the host's API key variable (AgentSpec.api_key_env)."""
    tool_dir: Path | None = None
    """A tool's environment, mounted read-only (a preset's install); `{tool}` in templates."""
    usage_format: UsageFormat = UsageFormat.AUTOEXP
    """How usage is read when the agent writes no $AUTOEXP_USAGE."""
    tool_trajectory: str | None = None
    """The tool's own trajectory file, relative to its HOME (read for `usage_format`)."""


class CommandAgent:
    """Runs an external agent's command line in the sandbox and reads the results it writes."""

    name = "command"

    def __init__(
        self,
        options: CommandOptions | dict[str, Any],
        attempt_dir: Path | None = None,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        name: str | None = None,
    ) -> None:
        if isinstance(options, dict) and "cmd" not in options:
            raise AutoexpError(
                "the command agent needs option cmd, e.g. "
                "--agent-option cmd='mycli --prompt-file {prompt_file}'"
            )
        self.options = options if isinstance(options, CommandOptions) else CommandOptions(**options)
        self.attempt_dir = attempt_dir
        self.model = model
        self.base_url = base_url
        self.api_key_env = api_key_env
        if name is not None:
            self.name = name
        check_template(self.options.cmd)
        for arg in self.options.args_when_set.values():
            check_template(arg)

    def values(
        self, inner: str, budget: Budget | None = None, home: str = AGENT_HOME
    ) -> dict[str, str]:
        """The placeholders' values (unquoted) for a workspace seen at `inner` and a HOME seen
        at `home`."""
        b = budget or Budget()
        return {
            "prompt_file": f"{inner}/{AGENT_DIR}/prompt.md",
            "workspace": inner,
            "results_file": f"{inner}/{AGENT_DIR}/results.json",
            "model": self.model or "",
            "base_url": self.base_url or "",
            "max_steps": str(b.max_steps),
            "max_tokens": str(b.max_tokens) if b.max_tokens else "",
            "max_cost": f"{b.max_cost:g}" if b.max_cost else "",
            "max_wall": str(math.ceil(b.max_wall_s)),
            "home": home,
            "tool": str(self.options.tool_dir or ""),
        }

    def command_line(self, inner: str, budget: Budget | None = None, home: str = AGENT_HOME) -> str:
        """The command with its placeholders filled for a workspace seen at `inner`, and the
        arguments of the values that are set appended."""
        values = self.values(inner, budget, home)
        quoted = {k: shlex.quote(v) for k, v in values.items()}
        line = self.options.cmd.format(**quoted)
        for key, arg in self.options.args_when_set.items():
            if values[key.value]:
                line += " " + arg.format(**quoted)
        return line

    def environment(
        self, inner: str, budget: Budget | None = None, home: str = AGENT_HOME
    ) -> dict[str, str]:
        """The environment of the agent's process (besides the sandbox's PATH, locale, ...)."""
        b = budget or Budget()
        values = self.values(inner, b, home)
        env = {k: os.environ[k] for k in self.options.pass_env if k in os.environ}
        env.update(
            AUTOEXP_PROMPT_FILE=values["prompt_file"],
            AUTOEXP_RESULTS=values["results_file"],
            AUTOEXP_USAGE=f"{inner}/{AGENT_DIR}/usage.json",
            AUTOEXP_WORKSPACE=inner,
            AUTOEXP_HOME=values["home"],
            HOME=values["home"],
            AUTOEXP_MAX_STEPS=values["max_steps"],
            AUTOEXP_MAX_WALL=values["max_wall"],
        )
        for key in ("max_tokens", "max_cost", "model", "base_url"):
            if values[key]:
                env[f"AUTOEXP_{key.upper()}"] = values[key]
        if self.options.api_key_var:
            key = os.environ.get(self.api_key_env) or (NO_KEY if self.base_url else None)
            if key:
                env[self.options.api_key_var] = key
        env.update({k: fill(v, values) for k, v in self.options.env.items()})
        return env

    def run(self, workspace: Path, prompt: Prompt, sandbox: Sandbox, budget: Budget) -> AgentResult:
        """Write the prompt, run the command, read the results file and the usage."""
        inner = INNER_WORKSPACE if sandbox.isolation == Isolation.BUBBLEWRAP else str(workspace)
        agent_dir = workspace / AGENT_DIR
        agent_dir.mkdir(parents=True, exist_ok=True)
        (agent_dir / "prompt.md").write_text(prompt.text, encoding="utf-8")
        results = agent_dir / "results.json"
        usage_file = agent_dir / "usage.json"
        for stale in (results, usage_file):
            stale.unlink(missing_ok=True)
        sandboxed = sandbox.isolation == Isolation.BUBBLEWRAP
        home = self._fresh_home(sandboxed)
        inner_home = AGENT_HOME if sandboxed else str(home)
        tools = [self.options.tool_dir] if self.options.tool_dir is not None else []
        sandbox = with_mounts(sandbox, ro=tools, rw={AGENT_HOME: home} if sandboxed else None)
        command = self.command_line(inner, budget, inner_home)
        env = self.environment(inner, budget, inner_home)

        path = self.attempt_dir / TRAJECTORY_FILE if self.attempt_dir is not None else None
        rec = Recorder(path, self.name, self.model, prompt.text)
        rec.note(f"command: {command}\nnetwork: {self.options.network}")
        before = workspace_state(workspace, (AGENT_DIR,))
        started = time.time()
        try:
            res = sandbox.run(
                command,
                workspace,
                timeout_s=budget.max_wall_s,
                env=env,
                network=self.options.network,
            )
        except InfraError as e:
            rec.note(f"infrastructure error: {type(e).__name__}: {e}")
            rec.end(e.state)
            self._drop_home(home)
            raise
        log = (
            f"$ {command}\n[exit code {res.exit_code}, {res.duration_s:.1f} s"
            + (", timed out" if res.timed_out else "")
            + (", output capped" if res.truncated else "")
            + f"]\n--- stdout ---\n{res.stdout}\n--- stderr ---\n{res.stderr}"
        )
        if self.attempt_dir is not None:
            (self.attempt_dir / LOG_FILE).write_text(log, encoding="utf-8")
        rec.step(
            "tool",
            started_at=started,
            tool_name="command",
            tool_args={"command": command},
            content=f"exit code {res.exit_code}"
            + (" (timed out)" if res.timed_out else "")
            + (f"; output in {LOG_FILE}" if self.attempt_dir is not None else ""),
        )
        data, report_error = read_agent_file(results, MAX_RESULTS_BYTES)
        reported = None
        if data is not None:
            reported, report_error = parse_report(data)
        usage = self._usage(workspace, home)
        self._drop_home(home)
        if (
            res.exit_code not in (0, None)
            and not res.timed_out
            and data is None
            and report_error is None
            and (usage is None or usage.tokens_in + usage.tokens_out == 0)  # no model answer
            and res.duration_s < QUICK_EXIT_S
            and workspace_state(workspace, (AGENT_DIR,)) == before
        ):
            rec.note(f"the agent exited {res.exit_code} without working")
            rec.end(EndState.AGENT_ERROR)
            tail = log_tail(res.stdout + "\n" + res.stderr)  # errors come last
            raise AgentExited(
                f"exited {res.exit_code} after {res.duration_s:.1f} s without touching the "
                f"workspace or writing results; the end of {LOG_FILE}:\n{tail or '(no output)'}"
            )
        usage = usage or Usage()
        if usage.messages:
            _replay(rec, usage)
        cost = usage.cost_usd if usage.cost_usd is not None else self._priced(usage)
        ended = _end_state(res.timed_out, reported is not None, usage, cost, budget)
        rec.note(
            "results: "
            + (
                "missing"
                if data is None and report_error is None
                else report_error or f"{len(reported or {})} experiments"
            )
        )
        rec.end(ended)
        return AgentResult(
            reported=reported,
            report_error=report_error,
            model=self.model,
            tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out,
            cost_usd=cost,
            steps=usage.steps,
            trajectory=path,
            ended_by=ended,
        )

    def _usage(self, workspace: Path, home: Path) -> Usage | None:
        """$AUTOEXP_USAGE, else the tool's own trajectory converted (None: neither)."""
        agent_dir = workspace / AGENT_DIR
        usage = None if agent_dir.is_symlink() else read_usage(agent_dir / "usage.json")
        traj = self.options.tool_trajectory
        mini = self.options.usage_format is UsageFormat.MINI_SWE_AGENT
        if usage is None and mini and traj and home.is_dir() and not home.is_symlink():
            usage = read_mini_trajectory(home / traj)
        return usage

    def _priced(self, usage: Usage) -> float | None:
        """The cost of the tokens at autoexp's prices (None: unknown model or no tokens)."""
        if not self.model or not (usage.tokens_in or usage.tokens_out):
            return None
        from autoexp.models._pricing import load_prices

        try:
            return load_prices().cost(self.model, usage.tokens_in, usage.tokens_out)
        except AutoexpError:
            return None

    def _fresh_home(self, sandboxed: bool) -> Path:
        """An empty HOME for this run: `attempts/<id>/home` (a temporary directory without an
        attempt directory), owned by the sandbox's user when autoexp runs as root."""
        if self.attempt_dir is None:
            home = Path(tempfile.mkdtemp(prefix="autoexp-home-"))
        else:
            home = self.attempt_dir / HOME_DIR
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
        home.chmod(0o755)
        if sandboxed and os.geteuid() == 0:
            from autoexp.sandbox._bwrap import SANDBOX_UID

            os.chown(home, SANDBOX_UID, SANDBOX_UID)
        return home

    def _drop_home(self, home: Path) -> None:
        """Remove a temporary HOME (one in the attempt directory is kept)."""
        if self.attempt_dir is None:
            shutil.rmtree(home, ignore_errors=True)


def _end_state(
    timed_out: bool, submitted: bool, usage: Usage, cost: float | None, budget: Budget
) -> EndState:
    """How the CLI agent ended: a budget it went over (tokens and dollars are checked after
    the fact), else what its tool says, else submitted or exited."""
    if timed_out or usage.exit_status == "TimeExceeded":
        return EndState.BUDGET_WALL
    if budget.max_tokens is not None and usage.tokens_in + usage.tokens_out > budget.max_tokens:
        return EndState.BUDGET_TOKENS
    if budget.max_cost is not None and cost is not None and cost > budget.max_cost:
        return EndState.BUDGET_COST
    if usage.exit_status == "LimitsExceeded":
        return EndState.BUDGET_STEPS if usage.steps >= budget.max_steps else EndState.BUDGET_COST
    return EndState.SUBMITTED if submitted else EndState.EXITED


def _replay(rec: Recorder, usage: Usage) -> None:
    """The tool's conversation as trajectory steps (model calls, tool outputs, notes)."""
    rec.note(f"the agent's conversation, from {usage.source} ({len(usage.messages)} messages):")
    path, rec.path = rec.path, None  # saved once at the end, not after each of its steps
    try:
        _replay_messages(rec, usage)
    finally:
        rec.path = path
        rec.save()


def _replay_messages(rec: Recorder, usage: Usage) -> None:
    calls: dict[str, dict[str, Any]] = {}
    for msg in usage.messages:
        if msg.role == "assistant":
            calls.update({c["id"]: c for c in msg.tool_calls if c.get("id")})
            rec.step(
                "model",
                content=msg.content or None,
                tool_calls=msg.tool_calls,
                tokens_in=msg.tokens_in,
                tokens_out=msg.tokens_out,
                cost_usd=msg.cost_usd,
            )
        elif msg.role == "tool":
            call = calls.get(msg.tool_call_id or "", {})
            args = call.get("arguments")
            rec.step(
                "tool",
                tool_name=call.get("name") or "tool",
                tool_args=args if isinstance(args, dict | str) else None,
                content=msg.content,
            )
        else:
            rec.note(f"[{msg.role}] {msg.content}")


def check_template(cmd: str) -> None:
    """Raise AutoexpError when `cmd` uses an unknown placeholder or bad braces."""
    try:
        cmd.format(**dict.fromkeys(PLACEHOLDERS, ""))
    except (KeyError, IndexError, ValueError) as e:
        why = f"unknown placeholder {{{e.args[0]}}}" if isinstance(e, KeyError) else str(e)
        raise AutoexpError(
            f"command template {cmd!r}: {why}; placeholders are "
            + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            + " (write {{ and }} for literal braces)"
        ) from None
