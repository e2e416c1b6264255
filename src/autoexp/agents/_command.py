"""The `command` agent: any external CLI agent, run inside the sandbox from a command template.

The prompt is written to `<workspace>/.autoexp/prompt.md`; the CLI submits by writing the
results JSON to the file named by $AUTOEXP_RESULTS (`<workspace>/.autoexp/results.json`). It may
also write `{"tokens_in": .., "tokens_out": .., "cost_usd": .., "steps": ..}` to $AUTOEXP_USAGE
so that its usage is recorded. The runner deletes `.autoexp/` before grading.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autoexp._io import read_agent_file
from autoexp.agents._meter import Recorder
from autoexp.agents._tools import INNER_WORKSPACE
from autoexp.agents._types import AgentResult, Budget, Prompt
from autoexp.errors import AutoexpError, InfraError
from autoexp.grading import EndState, parse_report
from autoexp.protocols import Sandbox
from autoexp.sandbox._types import Isolation

AGENT_DIR = ".autoexp"
"""Harness directory inside the workspace (the runner removes it before grading)."""
TRAJECTORY_FILE = "trajectory.json"
LOG_FILE = "agent.log"
MAX_RESULTS_BYTES = 10_000_000
"""Largest results file read back (a bigger one is an invalid report, never read)."""
PLACEHOLDERS = ("prompt_file", "workspace", "results_file", "model", "base_url")
"""Names that may appear in braces in the `cmd` template."""


class CommandOptions(BaseModel):
    """Options of the command agent (AgentSpec.options)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    cmd: str
    """Command template, e.g. `mycli --prompt-file {prompt_file} --cwd {workspace}`. Placeholders
    ({prompt_file}, {workspace}, {results_file}, {model}, {base_url}) become shell-quoted paths
    and values as seen inside the sandbox; write `{{` and `}}` for literal braces."""
    network: bool = False
    """Give the agent's process network access (e.g. to reach its model API)."""
    env: dict[str, str] = Field(default_factory=dict)
    """Extra environment variables for the agent's process."""
    pass_env: list[str] = Field(default_factory=list)
    """Host environment variables passed through when set (e.g. OPENAI_API_KEY)."""


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
        check_template(self.options.cmd)

    def command_line(self, inner: str) -> str:
        """The command with its placeholders filled for a workspace seen at `inner`."""
        values = {
            "prompt_file": f"{inner}/{AGENT_DIR}/prompt.md",
            "workspace": inner,
            "results_file": f"{inner}/{AGENT_DIR}/results.json",
            "model": self.model or "",
            "base_url": self.base_url or "",
        }
        return self.options.cmd.format(**{k: shlex.quote(v) for k, v in values.items()})

    def run(self, workspace: Path, prompt: Prompt, sandbox: Sandbox, budget: Budget) -> AgentResult:
        """Write the prompt, run the command, read the results file."""
        inner = INNER_WORKSPACE if sandbox.isolation == Isolation.BUBBLEWRAP else str(workspace)
        agent_dir = workspace / AGENT_DIR
        agent_dir.mkdir(parents=True, exist_ok=True)
        (agent_dir / "prompt.md").write_text(prompt.text, encoding="utf-8")
        results = agent_dir / "results.json"
        usage_file = agent_dir / "usage.json"
        for stale in (results, usage_file):
            stale.unlink(missing_ok=True)
        command = self.command_line(inner)
        env = {k: os.environ[k] for k in self.options.pass_env if k in os.environ}
        env.update(
            AUTOEXP_PROMPT_FILE=f"{inner}/{AGENT_DIR}/prompt.md",
            AUTOEXP_RESULTS=f"{inner}/{AGENT_DIR}/results.json",
            AUTOEXP_USAGE=f"{inner}/{AGENT_DIR}/usage.json",
            AUTOEXP_WORKSPACE=inner,
        )
        if self.model:
            env["AUTOEXP_MODEL"] = self.model
        if self.base_url:
            env["AUTOEXP_BASE_URL"] = self.base_url
        env.update(self.options.env)

        path = self.attempt_dir / TRAJECTORY_FILE if self.attempt_dir is not None else None
        rec = Recorder(path, self.name, self.model, prompt.text)
        rec.note(f"command: {command}\nnetwork: {self.options.network}")
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
            raise
        if self.attempt_dir is not None:
            (self.attempt_dir / LOG_FILE).write_text(
                f"$ {command}\n[exit code {res.exit_code}, {res.duration_s:.1f} s"
                + (", timed out" if res.timed_out else "")
                + (", output capped" if res.truncated else "")
                + f"]\n--- stdout ---\n{res.stdout}\n--- stderr ---\n{res.stderr}",
                encoding="utf-8",
            )
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
        usage = _read_usage(usage_file)
        ended = (
            EndState.BUDGET_WALL
            if res.timed_out
            else EndState.SUBMITTED
            if reported
            else EndState.EXITED
        )
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
            tokens_in=usage.get("tokens_in", 0),
            tokens_out=usage.get("tokens_out", 0),
            cost_usd=usage.get("cost_usd"),
            steps=usage.get("steps", 0),
            trajectory=path,
            ended_by=ended,
        )


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


def _read_usage(path: Path) -> dict[str, Any]:
    raw, _ = read_agent_file(path, 1 << 16)
    if raw is None:
        return {}
    try:
        data = json.loads(raw.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, Any] = {}
    for key in ("tokens_in", "tokens_out", "steps"):
        if isinstance(data.get(key), int) and not isinstance(data.get(key), bool):
            out[key] = max(0, data[key])
    cost = data.get("cost_usd")
    out["cost_usd"] = (
        float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None
    )
    return out
