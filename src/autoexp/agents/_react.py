"""The `react` agent: a tool-calling loop (bash, file tools, submit) under budgets."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from autoexp.agents._meter import Meter, Recorder
from autoexp.agents._prompt import _env
from autoexp.agents._tools import TOOL_SPECS, Toolbox, ToolOptions, ToolOutcome, parse_text_calls
from autoexp.agents._types import AgentResult, Budget, Prompt
from autoexp.errors import AgentEnded, FormatErrors, Submitted
from autoexp.models._types import ModelResponse, ToolCall
from autoexp.protocols import Model, Sandbox

TRAJECTORY_FILE = "trajectory.json"


class ToolFormat(StrEnum):
    """How the model calls tools."""

    NATIVE = "native"
    """The API's native tool calls (OpenAI `tools`); `tools` is accepted as an alias."""
    TEXT = "text"
    """Fenced ```tool:NAME blocks with JSON arguments in the reply (for models without tools)."""


class ReactOptions(ToolOptions):
    """Options of the react agent (AgentSpec.options)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    tool_format: ToolFormat = ToolFormat.NATIVE
    """`native` (the API's tool calls) or `text` (fenced-block protocol, see docs/agents.md)."""
    system_prompt: str | None = None
    """Replace the built-in system message."""
    nudge: str = Field(
        default="No tool was called. Continue with a tool call; call submit when you are done."
    )
    """Message sent back when a reply calls no tool."""
    max_format_errors: int = Field(default=5, gt=0)
    """Consecutive replies without a usable tool call (none at all, or only calls to unknown
    tools or with arguments that do not parse) after which the agent stops (`format_errors`)."""

    @field_validator("tool_format", mode="before")
    @classmethod
    def _alias(cls, v: object) -> object:
        return "native" if v == "tools" else v


class ReactAgent:
    """Tool-calling loop: the model reads, edits and runs code in the sandbox, then submits."""

    name = "react"

    def __init__(
        self,
        model: Model,
        attempt_dir: Path | None = None,
        options: ReactOptions | dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.attempt_dir = attempt_dir
        self.options = (
            options if isinstance(options, ReactOptions) else ReactOptions(**(options or {}))
        )

    def _system(self) -> str:
        if self.options.system_prompt is not None:
            return self.options.system_prompt
        name = "react_text_protocol.md.j2" if self.text_mode else "react_system.md.j2"
        return _env().get_template(name).render().strip()

    @property
    def text_mode(self) -> bool:
        """Whether tools are called through the text protocol."""
        return self.options.tool_format is ToolFormat.TEXT

    def run(self, workspace: Path, prompt: Prompt, sandbox: Sandbox, budget: Budget) -> AgentResult:
        """Loop model call -> tool calls until submit or a budget runs out."""
        path = self.attempt_dir / TRAJECTORY_FILE if self.attempt_dir is not None else None
        rec = Recorder(path, self.name, self.model.name, prompt.text)
        meter = Meter(budget)
        tools = Toolbox(workspace, sandbox, meter, self.options)
        system = self._system()
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": prompt.text},
        ]
        rec.step("note", content=f"system message:\n{system}")

        def result(**fields: Any) -> AgentResult:
            return meter.result(self.model.name, trajectory=path, **fields)

        malformed = 0  # consecutive replies without a usable tool call
        try:
            while True:
                meter.before_call()
                response = self._call(messages, rec)
                meter.add_call(response)
                calls = self._calls_of(response, meter.steps)
                messages.append(self._assistant_message(response))
                if not calls:
                    malformed = self._count_malformed(malformed)
                    messages.append({"role": "user", "content": self.options.nudge})
                    rec.note(f"no tool call; sent: {self.options.nudge}")
                    continue
                text_outputs: list[str] = []
                usable = False
                for call in calls:
                    started = time.time()
                    outcome = tools.call(call.name, call.arguments)
                    rec.step(
                        "tool",
                        started_at=started,
                        content=outcome.output,
                        tool_name=call.name,
                        tool_args=outcome.args,
                    )
                    if self.text_mode:
                        text_outputs.append(f"Output of {call.name}:\n{outcome.output}")
                    else:
                        messages.append(
                            {"role": "tool", "tool_call_id": call.id, "content": outcome.output}
                        )
                    if outcome.submitted is not None:
                        raise Submitted(outcome.submitted)
                    usable = usable or not _malformed(outcome)
                    meter.check_wall()
                if text_outputs:
                    messages.append({"role": "user", "content": "\n\n".join(text_outputs)})
                malformed = 0 if usable else self._count_malformed(malformed)
        except AgentEnded as e:
            if not isinstance(e, Submitted):
                rec.note(f"ended: {e}")
            rec.end(e.state)
            reported = e.results if isinstance(e, Submitted) else None
            return result(reported=reported, ended_by=e.state)
        except BaseException as e:
            rec.fail(e)
            raise

    def _count_malformed(self, before: int) -> int:
        """One more malformed reply; FormatErrors when that makes max_format_errors in a row."""
        if before + 1 >= self.options.max_format_errors:
            raise FormatErrors(before + 1)
        return before + 1

    def _call(self, messages: list[dict[str, Any]], rec: Recorder) -> ModelResponse:
        started = time.time()
        response = self.model.query(messages, None if self.text_mode else TOOL_SPECS)
        rec.step(
            "model",
            started_at=started,
            content=response.text,
            tool_calls=[c.model_dump() for c in response.tool_calls],
            tokens_in=response.tokens_in,
            tokens_out=response.tokens_out,
            cost_usd=response.cost_usd,
        )
        return response

    def _calls_of(self, response: ModelResponse, step: int) -> list[ToolCall]:
        if self.text_mode:
            return parse_text_calls(response.text, start=step * 100)
        return list(response.tool_calls)

    def _assistant_message(self, response: ModelResponse) -> dict[str, Any]:
        if self.text_mode or not response.tool_calls:
            return {"role": "assistant", "content": response.text or ""}
        return {
            "role": "assistant",
            "content": response.text,
            "tool_calls": [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in response.tool_calls
            ],
        }


def _malformed(outcome: ToolOutcome) -> bool:
    """The call never reached its tool: an unknown tool, or arguments that do not parse into the
    tool's (the Toolbox then keeps the raw argument string; a parsed call has a dict)."""
    return outcome.error and not isinstance(outcome.args, dict)
