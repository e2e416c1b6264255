"""The react agent's tools (bash, file tools, submit) and the text tool-call protocol."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autoexp.agents._meter import Meter
from autoexp.grading import parse_report
from autoexp.models._types import ToolCall
from autoexp.protocols import Sandbox

INNER_WORKSPACE = "/workspace"
"""Where the workspace appears inside the sandbox."""


class ToolError(Exception):
    """A tool call failed in a way the model should hear about (returned to it as text)."""


class ToolOutcome(BaseModel):
    """What one tool call produced."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    output: str
    """Text returned to the model."""
    args: dict[str, Any] | str | None = None
    """Parsed arguments (raw string when they were not a JSON object)."""
    error: bool = False
    """The call failed (bad arguments, unknown tool, tool error)."""
    submitted: dict[str, dict[str, float]] | None = None
    """Results, when this was a valid submit."""


def _fn(name: str, description: str, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": props, "required": required},
        },
    }


TOOL_SPECS: list[dict[str, Any]] = [
    _fn(
        "bash",
        "Run a shell command; it starts in the workspace's root directory. "
        "Returns the exit code, stdout and stderr (long output is cut in the middle).",
        {"command": {"type": "string", "description": "The shell command."}},
        ["command"],
    ),
    _fn(
        "read_file",
        "Read a text file of the workspace.",
        {
            "path": {
                "type": "string",
                "description": "Path relative to the workspace root (or absolute under it).",
            }
        },
        ["path"],
    ),
    _fn(
        "write_file",
        "Create or overwrite a text file of the workspace.",
        {
            "path": {"type": "string", "description": "Path relative to the workspace root."},
            "content": {"type": "string", "description": "The whole new content."},
        },
        ["path", "content"],
    ),
    _fn(
        "edit_file",
        "Replace one exact, unique occurrence of old_str by new_str in a file of the workspace.",
        {
            "path": {"type": "string", "description": "Path relative to the workspace root."},
            "old_str": {"type": "string", "description": "Exact text to replace; must occur once."},
            "new_str": {"type": "string", "description": "Replacement text."},
        },
        ["path", "old_str", "new_str"],
    ),
    _fn(
        "submit",
        "Submit your final results and end. results maps each experiment id to an object "
        "of metric name -> number.",
        {
            "results": {
                "type": "object",
                "description": "Experiment id -> {metric name: number}.",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": {"type": "number"},
                },
            }
        },
        ["results"],
    ),
]
"""The tools in the OpenAI `tools` format. They name no path: where the workspace is depends on
the sandbox (`/workspace` in bubblewrap, its host path in the subprocess fallback), and the
prompt names it (`render_prompt(workspace=...)`)."""

TOOL_NAMES = [t["function"]["name"] for t in TOOL_SPECS]
_REQUIRED = {t["function"]["name"]: t["function"]["parameters"]["required"] for t in TOOL_SPECS}

_TEXT_CALL = re.compile(
    r"^```[ \t]*tool[ \t]*:[ \t]*([A-Za-z_][\w-]*)[ \t]*\r?\n(.*?)\r?\n```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


def parse_text_calls(text: str | None, start: int = 0) -> list[ToolCall]:
    """Tool calls written with the text protocol: fenced blocks ```tool:NAME holding JSON args."""
    calls = []
    for i, m in enumerate(_TEXT_CALL.finditer(text or "")):
        calls.append(ToolCall(id=f"text_{start + i}", name=m.group(1), arguments=m.group(2)))
    return calls


def truncate(text: str, limit: int) -> str:
    """Keep the head and tail of `text` within `limit` characters, with a note on what was cut."""
    if len(text) <= limit:
        return text
    keep = max(limit - 200, 0)
    head, tail = text[: keep // 2], text[len(text) - keep // 2 :] if keep else ""
    cut = len(text) - len(head) - len(tail)
    note = (
        f"\n[... {cut} of {len(text)} characters cut; narrow the output "
        "(head, tail, grep, sed -n) to see the rest ...]\n"
    )
    return head + note + tail


def resolve_in_workspace(workspace: Path, path: str) -> Path:
    """The host path of a workspace path; ToolError when it would leave the workspace.

    Accepts paths relative to the workspace and absolute paths under /workspace (or under the
    host workspace itself). `..` and symlinks are resolved before the check.
    """
    if not isinstance(path, str) or not path.strip() or "\x00" in path:
        raise ToolError("path must be a non-empty string")
    root = Path(os.path.realpath(workspace))
    p = PurePosixPath(path)
    if p.is_absolute():
        for base in (PurePosixPath(INNER_WORKSPACE), PurePosixPath(root), PurePosixPath(workspace)):
            if p == base or base in p.parents:
                p = p.relative_to(base)
                break
        else:
            raise ToolError(f"{path}: outside the workspace; use paths relative to its root")
    real = Path(os.path.realpath(root / p))
    if real != root and root not in real.parents:
        raise ToolError(f"{path}: resolves outside the workspace (.. or a symlink); not allowed")
    return real


class ToolOptions(BaseModel):
    """Limits of the tools."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    max_output_chars: int = Field(default=10_000, gt=200)
    """Characters of a tool's output returned to the model; the middle of longer output is cut."""
    command_timeout_s: float = Field(default=600.0, gt=0)
    """Timeout of one bash command (also capped by the remaining max_wall_s budget)."""


class Toolbox:
    """Runs tool calls against one workspace and sandbox, counting tool time on the meter."""

    def __init__(
        self, workspace: Path, sandbox: Sandbox, meter: Meter, options: ToolOptions | None = None
    ) -> None:
        self.workspace = workspace
        self.sandbox = sandbox
        self.meter = meter
        self.options = options or ToolOptions()

    def call(self, name: str, arguments: str | dict[str, Any]) -> ToolOutcome:
        """Run one call; every failure becomes an error outcome for the model.

        BudgetExceeded is not caught here: the caller records the step, then checks the meter.
        """
        args: dict[str, Any] | str | None = arguments
        try:
            args = self._parse_args(name, arguments)
            output, submitted = self._dispatch(name, args)
        except ToolError as e:
            return ToolOutcome(output=f"Error: {e}", args=args, error=True)
        return ToolOutcome(
            output=truncate(output, self.options.max_output_chars), args=args, submitted=submitted
        )

    def _parse_args(self, name: str, arguments: str | dict[str, Any]) -> dict[str, Any]:
        if name not in _REQUIRED:
            raise ToolError(f"unknown tool {name!r}; the tools are: {', '.join(TOOL_NAMES)}")
        if isinstance(arguments, str):
            try:
                parsed = json.loads(arguments) if arguments.strip() else {}
            except json.JSONDecodeError as e:
                raise ToolError(
                    f"arguments of {name} are not valid JSON ({e.msg} at position {e.pos}); "
                    "send a JSON object"
                ) from None
            except (ValueError, RecursionError):  # an int of > 4300 digits, too deeply nested
                raise ToolError(
                    f"arguments of {name} are not valid JSON (a number too long or nesting too "
                    "deep); send a JSON object"
                ) from None
        else:
            parsed = arguments
        if not isinstance(parsed, dict):
            raise ToolError(
                f"arguments of {name} must be a JSON object, got {type(parsed).__name__}"
            )
        missing = [k for k in _REQUIRED[name] if k not in parsed]
        if missing:
            raise ToolError(f"{name} is missing argument(s): {', '.join(missing)}")
        for key in ("command", "path", "content", "old_str", "new_str"):
            if key in parsed and key in _REQUIRED[name] and not isinstance(parsed[key], str):
                raise ToolError(f"argument {key!r} of {name} must be a string")
        return parsed

    def _dispatch(self, name: str, args: dict[str, Any]) -> tuple[str, Any]:
        started = time.monotonic()
        try:
            if name == "bash":
                return self._bash(args["command"]), None
            if name == "read_file":
                return self._read(args["path"]), None
            if name == "write_file":
                return self._write(args["path"], args["content"]), None
            if name == "edit_file":
                return self._edit(args["path"], args["old_str"], args["new_str"]), None
            return self._submit(args["results"])
        finally:
            if name != "bash":
                self.meter.add_tool_time(time.monotonic() - started)

    def _bash(self, command: str) -> str:
        remaining = self.meter.remaining_wall()
        if remaining <= 0:
            self.meter.check_wall()
        timeout = min(self.options.command_timeout_s, remaining)
        started = time.monotonic()
        res = self.sandbox.run(command, self.workspace, timeout_s=timeout)
        elapsed = max(time.monotonic() - started, res.duration_s)
        if res.timed_out and timeout >= remaining:
            elapsed = max(elapsed, remaining)
        self.meter.add_tool_time(elapsed)
        parts = []
        if res.timed_out:
            parts.append(f"[command killed after {timeout:g} s timeout]")
        parts.append(f"exit code: {res.exit_code}")
        if res.stdout:
            parts.append(f"stdout:\n{res.stdout.rstrip()}")
        if res.stderr:
            parts.append(f"stderr:\n{res.stderr.rstrip()}")
        if res.truncated:
            parts.append("[the sandbox capped this output]")
        return "\n".join(parts)

    def _read(self, path: str) -> str:
        target = resolve_in_workspace(self.workspace, path)
        if target.is_dir():
            raise ToolError(f"{path} is a directory; list it with bash (ls)")
        try:
            return target.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            raise ToolError(f"{path}: no such file") from None
        except OSError as e:
            raise ToolError(f"{path}: {e.strerror}") from None

    def _write(self, path: str, content: str) -> str:
        target = resolve_in_workspace(self.workspace, path)
        if target.is_dir():
            raise ToolError(f"{path} is a directory")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        except OSError as e:
            raise ToolError(f"{path}: {e.strerror}") from None
        return f"wrote {len(content)} characters to {path}"

    def _edit(self, path: str, old: str, new: str) -> str:
        target = resolve_in_workspace(self.workspace, path)
        text = self._read(path)
        if not old:
            raise ToolError("old_str is empty")
        count = text.count(old)
        if count == 0:
            raise ToolError(f"old_str not found in {path}; read the file and copy the text exactly")
        if count > 1:
            raise ToolError(f"old_str occurs {count} times in {path}; include more context")
        try:
            target.write_text(text.replace(old, new, 1), encoding="utf-8")
        except OSError as e:
            raise ToolError(f"{path}: {e.strerror}") from None
        return f"edited {path}"

    def _submit(self, results: Any) -> tuple[str, Any]:
        parsed, error = parse_report(results)
        if error or parsed is None:
            raise ToolError(
                f"results rejected: {error or 'no results'}; submit an object "
                '{"<experiment id>": {"<metric>": <number>}}'
            )
        return "results submitted", parsed
