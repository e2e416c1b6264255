"""The `agentless` agent: one (or a few) model calls, no tools; autoexp writes the code and runs.

The model gets the prompt plus the code around the masked functions (`build_context`), answers
with one fenced python block per function, the bodies are written back with `replace_body`,
and the experiments' commands are run in the sandbox; the numbers they print are reported.
With `rounds > 1`, failing experiments (crash, missing metrics) are shown to the model, which may
answer again.
"""

from __future__ import annotations

import ast
import contextlib
import re
import textwrap
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autoexp.agents._callgraph import CodeContext, build_context
from autoexp.agents._meter import Meter, Recorder
from autoexp.agents._tools import truncate
from autoexp.agents._types import AgentResult, Budget, Prompt
from autoexp.errors import AgentEnded, MaskingError
from autoexp.grading import EndState, last_json_object, parse_metrics
from autoexp.grading._metrics import to_number
from autoexp.masking import body_of_def, replace_body
from autoexp.protocols import Model, Sandbox
from autoexp.tasks._model import Task, split_function_id

TRAJECTORY_FILE = "trajectory.json"
_BLOCK = re.compile(
    r"```[ \t]*(?:python|py|python3)?[ \t]*\r?\n(.*?)^[ \t]*```", re.DOTALL | re.MULTILINE
)
_ID_COMMENT = re.compile(r"^\s*#\s*(\S+\.py::[\w.]+)\s*$", re.MULTILINE)


class AgentlessOptions(BaseModel):
    """Options of the agentless agent (AgentSpec.options)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    rounds: int = Field(default=1, ge=1)
    """Model calls at most: after the first, failing experiments are shown to the model."""
    caller_depth: int = Field(default=1, ge=1)
    """Levels of callers of each masked function put in the context."""
    experiment_timeout_s: float = Field(default=600.0, gt=0)
    """Timeout of one experiment run when the task does not give one."""
    feedback_chars: int = Field(default=4000, gt=200)
    """Characters of a failing experiment's output shown to the model in a later round."""


class ParsedAnswer(BaseModel):
    """Function bodies found in a model's answer."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    bodies: dict[str, str]
    """Function id -> dedented body."""
    problems: list[str]
    """Blocks that could not be used, and functions the answer did not give."""


def parse_answer(text: str | None, function_ids: list[str]) -> ParsedAnswer:
    """Find one `def` per masked function in the fenced python blocks of `text`.

    A block is matched to a function by a leading `# path.py::Qual.name` comment, else by the
    def's name (the first unmatched masked function with that name).
    """
    bodies: dict[str, str] = {}
    problems: list[str] = []
    for i, block in enumerate(_BLOCK.findall(text or "")):
        try:
            body = body_of_def(block)
        except MaskingError as e:
            problems.append(f"block {i + 1}: {e}")
            continue
        fid = _match_block(block, function_ids, bodies)
        if fid is None:
            problems.append(f"block {i + 1}: its def matches none of the masked functions")
            continue
        bodies[fid] = body
    problems.extend(f"{fid}: not in the answer" for fid in function_ids if fid not in bodies)
    return ParsedAnswer(bodies=bodies, problems=problems)


def _match_block(block: str, function_ids: list[str], taken: dict[str, str]) -> str | None:
    m = _ID_COMMENT.search(block)
    if m and m.group(1) in function_ids:
        return m.group(1)
    try:
        tree = ast.parse(textwrap.dedent(block))
    except SyntaxError:
        return None
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    if not names:
        return None
    for fid in function_ids:
        if fid not in taken and split_function_id(fid)[1].rsplit(".", 1)[-1] == names[0]:
            return fid
    return None


def write_bodies(workspace: Path, bodies: dict[str, str]) -> list[str]:
    """Write each body into its function in the workspace; returns problems (not raised)."""
    problems = []
    for fid, body in bodies.items():
        path, qual = split_function_id(fid)
        file = workspace / path
        try:
            source = file.read_bytes().decode("utf-8")
            file.write_bytes(replace_body(source, qual, body, filename=path).encode("utf-8"))
        except (OSError, UnicodeDecodeError, MaskingError) as e:
            problems.append(f"{fid}: could not write the body: {e}")
    return problems


class AgentlessAgent:
    """No tools: the model writes the masked functions from the paper and the code around them."""

    name = "agentless"

    def __init__(
        self,
        model: Model,
        task: Task | None = None,
        attempt_dir: Path | None = None,
        options: AgentlessOptions | dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.task = task
        self.attempt_dir = attempt_dir
        self.options = (
            options
            if isinstance(options, AgentlessOptions)
            else AgentlessOptions(**(options or {}))
        )

    def context(self, workspace: Path, prompt: Prompt) -> CodeContext:
        """The code context of the prompt's masked functions in the workspace."""
        return build_context(
            workspace, [f.id for f in prompt.functions], caller_depth=self.options.caller_depth
        )

    def user_message(self, prompt: Prompt, context: CodeContext) -> str:
        """The prompt text followed by the code context."""
        if not context.text:
            return prompt.text
        return (
            prompt.text.rstrip()
            + "\n\n## Code around the masked functions\n"
            + "The masked functions, the code that calls them, what those callers use from the "
            + "same module or class, and the module's imports and constants (`# ...` marks code "
            + "left out):\n\n"
            + context.text
        )

    def run(self, workspace: Path, prompt: Prompt, sandbox: Sandbox, budget: Budget) -> AgentResult:
        """Ask, write back, run the experiments, report (and retry on failures if rounds > 1)."""
        path = self.attempt_dir / TRAJECTORY_FILE if self.attempt_dir is not None else None
        rec = Recorder(path, self.name, self.model.name, prompt.text)
        meter = Meter(budget)
        context = self.context(workspace, prompt)
        user = self.user_message(prompt, context)
        rec.note(
            f"prompt: {len(user)} characters ({len(prompt.text)} prompt, {context.chars} code "
            f"context from {len(context.files)} files: {', '.join(context.files)})"
            + (f"; not found: {', '.join(context.missing)}" if context.missing else "")
        )
        messages: list[dict[str, Any]] = [{"role": "user", "content": user}]
        fids = [f.id for f in prompt.functions]
        reported: dict[str, dict[str, float]] = {}

        def result(**fields: Any) -> AgentResult:
            return meter.result(self.model.name, trajectory=path, **fields)

        try:
            for round_ in range(self.options.rounds):
                if round_ > 0 and meter.steps >= budget.max_steps:
                    break
                meter.before_call()
                started = time.time()
                response = self.model.query(messages)
                rec.step(
                    "model",
                    started_at=started,
                    content=response.text,
                    tokens_in=response.tokens_in,
                    tokens_out=response.tokens_out,
                    cost_usd=response.cost_usd,
                )
                if round_ == 0:
                    rec.note(
                        f"prompt size: {len(user)} characters, {response.tokens_in} tokens (usage)"
                    )
                meter.add_call(response)
                answer = parse_answer(response.text, fids)
                problems = answer.problems + write_bodies(workspace, answer.bodies)
                rec.note(
                    f"wrote {len(answer.bodies)}/{len(fids)} functions"
                    + ("; problems: " + "; ".join(problems) if problems else "")
                )
                reported, failures = self._run_experiments(workspace, prompt, sandbox, meter, rec)
                if not failures and not problems:
                    break
                messages.append({"role": "assistant", "content": response.text or ""})
                messages.append({"role": "user", "content": self._feedback(problems, failures)})
        except AgentEnded as e:
            rec.note(f"ended: {e}")
            rec.end(e.state)
            return result(reported=reported or None, ended_by=e.state)
        except BaseException as e:
            rec.fail(e)
            raise
        rec.end(EndState.SUBMITTED)
        return result(reported=reported, ended_by=EndState.SUBMITTED)

    def _feedback(self, problems: list[str], failures: list[str]) -> str:
        parts = ["Your answer did not work yet."]
        if problems:
            parts.append("Problems with the answer:\n" + "\n".join(f"- {p}" for p in problems))
        if failures:
            parts.append("Experiments that failed:\n\n" + "\n\n".join(failures))
        parts.append("Answer again with the complete functions, one fenced python block each.")
        return "\n\n".join(parts)

    def _run_experiments(
        self, workspace: Path, prompt: Prompt, sandbox: Sandbox, meter: Meter, rec: Recorder
    ) -> tuple[dict[str, dict[str, float]], list[str]]:
        reported: dict[str, dict[str, float]] = {}
        failures: list[str] = []
        for exp in prompt.experiments:
            if exp.command is None:
                rec.note(f"experiment {exp.id}: no command given; not run")
                continue
            meter.check_wall()
            timeout = self.options.experiment_timeout_s
            if self.task is not None:
                with contextlib.suppress(KeyError):
                    timeout = self.task.experiment(exp.id).timeout_s
            timeout = min(timeout, meter.remaining_wall())
            started = time.time()
            res = sandbox.run(exp.command, workspace, timeout_s=timeout)
            meter.add_tool_time(max(time.time() - started, res.duration_s))
            values = self._metrics(exp.id, exp.metrics, res.stdout)
            got = {k: v for k, v in values.items() if v is not None}
            if got:
                reported[exp.id] = got
            out = f"$ {exp.command}\nexit code: {res.exit_code}" + (
                " (timed out)" if res.timed_out else ""
            )
            out += f"\nstdout:\n{res.stdout.rstrip()}\nstderr:\n{res.stderr.rstrip()}"
            rec.step(
                "tool",
                started_at=started,
                tool_name="run_experiment",
                tool_args={"experiment": exp.id, "command": exp.command},
                content=truncate(out, self.options.feedback_chars),
            )
            if not res.ok or len(got) < len(exp.metrics):
                failures.append(
                    f"`{exp.id}`:\n```\n{truncate(out, self.options.feedback_chars)}\n```"
                )
            if res.timed_out:
                meter.check_wall()
        return reported, failures

    def _metrics(self, exp_id: str, names: list[str], stdout: str) -> dict[str, float | None]:
        if self.task is not None:
            try:
                return parse_metrics(stdout, self.task.experiment(exp_id).metrics)
            except KeyError:
                pass
        obj = last_json_object(stdout) or {}
        return {n: to_number(obj.get(n)) for n in names}


def first_message(
    workspace: Path, prompt: Prompt, options: AgentlessOptions | dict[str, Any] | None = None
) -> str:
    """The first user message the agentless agent sends its model for `prompt` on `workspace`,
    built as `run` builds it (`context`, `user_message`): the prompt, then the code around the
    masked functions. `autoexp prepare --agent agentless` writes it as the prompt."""
    agent = AgentlessAgent(None, options=options)  # type: ignore[arg-type]  # no model is called
    return agent.user_message(prompt, agent.context(workspace, prompt))
