"""A session: one (task, combo) worked on by a driver other than autoexp's own agents.

Inspect AI's solvers and a reinforcement-learning policy drive the work themselves; they need
what an attempt gives an agent (the masked workspace, the prompt, the sandbox) and, at the end,
what it gives the grader (merge, re-execution of visible and hidden experiments, differential
tests, integrity scan). `Session` is that, with the same stages `run_attempt` uses.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from pydantic import BaseModel, ConfigDict

from autoexp.agents._types import AgentResult, Budget, Setting
from autoexp.errors import TaskError
from autoexp.grading import EndState, Evidence, Grade, IntegrityMode
from autoexp.protocols import Sandbox
from autoexp.runner._attempt import attempt_sandbox, gather_evidence, grade_combo
from autoexp.runner._gpus import assigned_gpus, gpu_skip_reason, machine_gpus
from autoexp.runner._prepare import Prepared, prepare_workspace, read_results_file
from autoexp.sandbox._types import ExecResult, Isolation, SandboxConfig
from autoexp.tasks._load import load_task
from autoexp.tasks._model import Task


class SessionGrade(BaseModel):
    """What grading a session's workspace gave."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    grade: Grade
    """The grade, as an attempt's record holds it."""
    evidence: Evidence
    """What it was computed from (re-run outputs, differential verdicts, integrity findings)."""


def _session_gpus(task: Task) -> list[int]:
    """The GPUs a session of `task` works with: those an executor assigned to this process, or
    the first `needs.gpus` of this machine's (`$AUTOEXP_GPUS` respected; not held exclusively,
    as for `tasks validate`). A TaskError with the reason when there are too few."""
    need = task.spec.needs.gpus
    if not need:
        return assigned_gpus()
    gpus = assigned_gpus() or machine_gpus()[:need]
    why = gpu_skip_reason(need, len(gpus))
    if why:
        raise TaskError(f"task {task.id}: {why}")
    return gpus


class Session:
    """A prepared workspace for `combo` of `task`, in the task's sandbox, graded on demand.

    - `workspace`, `prompt`, `sandbox`: what an agent is given (`prompt.text` names the
      workspace as the sandbox shows it, `/workspace`).
    - `exec(command)` runs a shell command in the workspace, in the sandbox.
    - `grade(reported)` grades the workspace as it is now; it may be called more than once
      (each call merges and re-runs afresh). `reported` is what the driver submits (the
      default: the results file the prompt asks for, if the workspace has one).
    - `close()` (or leaving the `with` block) removes everything.

    A task that needs GPUs gets those an executor assigned to this process, else the first
    `needs.gpus` of this machine's (`$AUTOEXP_GPUS`); with too few, a TaskError says why.

    Raises what preparing an attempt raises: TaskError (task, environment, GPUs), InfraError
    (no sandbox), LeakError, MaskingError.
    """

    def __init__(
        self,
        task: Task | str | Path,
        combo: Sequence[str],
        *,
        sandbox_config: SandboxConfig | None = None,
        backend: str = "auto",
        setting: Setting | None = None,
        budget: Budget | None = None,
        integrity: IntegrityMode = IntegrityMode.STRICT,
        agent_name: str = "default",
        logs_dir: Path | None = None,
    ) -> None:
        self.task = task if isinstance(task, Task) else load_task(Path(task))
        self.combo = tuple(sorted(combo))
        known = {f.id for f in self.task.spec.functions}
        unknown = [f for f in self.combo if f not in known]
        if unknown:
            raise TaskError(
                f"task {self.task.id} has no function {', '.join(map(repr, unknown))} "
                f"(it has {', '.join(sorted(known))})"
            )
        self.integrity = integrity
        self.sandbox: Sandbox = attempt_sandbox(
            self.task, sandbox_config, backend, gpus=_session_gpus(self.task)
        )
        self.scratch = Path(tempfile.mkdtemp(prefix=f"autoexp-session-{self.task.id[:30]}-"))
        self.scratch.chmod(0o755)  # the sandbox may run as an unprivileged uid
        self.logs_dir = logs_dir or self.scratch / "attempt"
        try:
            self.prepared: Prepared = prepare_workspace(
                self.task,
                self.combo,
                self.scratch,
                agent_name=agent_name,
                setting=setting,
                budget=budget,
                sandboxed=self.sandbox.isolation == Isolation.BUBBLEWRAP,
            )
        except BaseException:
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise

    @property
    def workspace(self) -> Path:
        """The agent's working copy on the host."""
        return self.prepared.workspace

    @property
    def prompt_text(self) -> str:
        """The task prompt, as an agent is first given it."""
        return self.prepared.prompt.text

    def exec(
        self,
        command: str,
        *,
        timeout_s: float = 600.0,
        env: Mapping[str, str] | None = None,
        network: bool = False,
    ) -> ExecResult:
        """Run a shell command with the workspace as its working directory, in the sandbox."""
        return self.sandbox.run(
            command, self.workspace, timeout_s=timeout_s, env=env, network=network
        )

    def grade(
        self,
        reported: dict[str, dict[str, float]] | None = None,
        *,
        ended_by: EndState | None = None,
    ) -> SessionGrade:
        """Grade the workspace as it is now, as an attempt is graded; `ended_by` (if given) is
        how the driver's work ended, recorded as an agent's end state is (a budget gives the
        failure reason `budget`)."""
        result = AgentResult(reported=reported, ended_by=ended_by)
        if reported is None:
            result.reported, result.report_error = read_results_file(self.prepared)
        evidence = gather_evidence(
            self.task,
            self.combo,
            self.prepared,
            self.sandbox,
            self.scratch,
            self.logs_dir,
            result,
        )
        grade = grade_combo(self.task, self.combo, evidence, self.integrity)
        return SessionGrade(grade=grade, evidence=evidence)

    def close(self) -> None:
        """Remove the workspace and the grading copies (the logs too, unless `logs_dir` was
        given)."""
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
