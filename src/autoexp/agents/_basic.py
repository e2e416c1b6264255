"""The self-test agents: `oracle` restores the original code, `noop` submits nothing."""

from __future__ import annotations

import json
from pathlib import Path

from autoexp.agents._types import AgentResult, Budget, Prompt
from autoexp.grading import parse_metrics
from autoexp.masking import extract_body, restore_bodies
from autoexp.protocols import Sandbox
from autoexp.tasks._model import Task


class OracleAgent:
    """Writes back the original bodies, runs every experiment and reports what it measured.

    It is privileged (it reads the task's original code on the host); it must score 100 %.
    """

    name = "oracle"

    def __init__(self, task: Task) -> None:
        self.task = task

    def run(self, workspace: Path, prompt: Prompt, sandbox: Sandbox, budget: Budget) -> AgentResult:
        """Restore, run, report."""
        bodies = {}
        for brief in prompt.functions:
            fn = self.task.function(brief.id)
            source = (self.task.code_dir / fn.path).read_bytes().decode("utf-8")
            bodies[fn.id] = extract_body(source, fn.qualname)
        restore_bodies(workspace, bodies)
        reported: dict[str, dict[str, float]] = {}
        for brief in prompt.experiments:
            exp = self.task.experiment(brief.id)
            res = sandbox.run(exp.command, workspace, timeout_s=exp.timeout_s)
            values = parse_metrics(res.stdout, exp.metrics)
            reported[exp.id] = {k: v for k, v in values.items() if v is not None}
        (workspace / prompt.results_file).write_text(json.dumps(reported, indent=2))
        return AgentResult(reported=reported)


class NoopAgent:
    """Does nothing and submits nothing; it must score 0 %."""

    name = "noop"

    def run(self, workspace: Path, prompt: Prompt, sandbox: Sandbox, budget: Budget) -> AgentResult:
        """Return at once."""
        return AgentResult(reported=None)
