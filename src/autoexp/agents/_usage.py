"""What a command agent used: `$AUTOEXP_USAGE`, or a preset tool's own trajectory converted.

`$AUTOEXP_USAGE` holds one JSON object (every field optional):

    {"tokens_in": 1234, "tokens_out": 56, "cost_usd": 0.01, "steps": 3,
     "messages": [{"role": "assistant", "content": "...", "tool_calls": [
                      {"id": "c1", "name": "bash", "arguments": {"command": "ls"}}],
                   "tokens_in": 400, "tokens_out": 20},
                  {"role": "tool", "tool_call_id": "c1", "content": "run.py stats.py"}]}

`messages` (OpenAI chat format; `tool_calls` may also be OpenAI's `{"function": {"name",
"arguments"}}`) become the attempt's trajectory steps, which the report replays.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autoexp._io import read_agent_file

MAX_USAGE_BYTES = 50_000_000
"""Largest usage or tool trajectory file read (a bigger one is ignored)."""
MAX_MESSAGES = 2000
"""Messages kept for the trajectory (the rest is summarised in a note)."""
MAX_CHARS = 20_000
"""Characters kept of one message's text."""


class UsageMessage(BaseModel):
    """One message of the agent's conversation, as autoexp keeps it."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    role: str
    """system, user, assistant, tool, or a tool-specific role (shown as a note)."""
    content: str = ""
    """Text (clipped to MAX_CHARS)."""
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    """For assistant messages: {id, name, arguments}."""
    tool_call_id: str | None = None
    """For tool messages: the call answered."""
    tokens_in: int = 0
    """Prompt tokens of this model call."""
    tokens_out: int = 0
    """Completion tokens of this model call."""
    cost_usd: float | None = None
    """Cost of this model call, when known."""


class Usage(BaseModel):
    """Tokens, cost, steps and conversation of one command-agent run."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    tokens_in: int = 0
    """Prompt tokens, summed."""
    tokens_out: int = 0
    """Completion tokens, summed."""
    cost_usd: float | None = None
    """Dollars; None: unknown."""
    steps: int = 0
    """Model calls."""
    messages: list[UsageMessage] = Field(default_factory=list)
    """The conversation, when the tool gave it."""
    exit_status: str | None = None
    """How the tool says it ended (e.g. mini-swe-agent's `Submitted`, `LimitsExceeded`)."""
    source: str = ""
    """Which file it was read from."""


def _int(value: Any) -> int:
    return max(0, value) if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def _text(value: Any) -> str:
    if isinstance(value, list):  # content parts
        value = "".join(p.get("text", "") for p in value if isinstance(p, dict))
    text = value if isinstance(value, str) else ("" if value is None else json.dumps(value))
    return (
        text
        if len(text) <= MAX_CHARS
        else text[:MAX_CHARS] + f"\n[... {len(text) - MAX_CHARS} characters cut]"
    )


def _call(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    fn = raw.get("function") if isinstance(raw.get("function"), dict) else raw
    args = fn.get("arguments")
    if isinstance(args, str):
        with contextlib.suppress(ValueError):  # kept as the raw string
            args = json.loads(args)
    return {"id": str(raw.get("id") or ""), "name": str(fn.get("name") or ""), "arguments": args}


def _message(raw: Any) -> UsageMessage | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("role"), str):
        return None
    calls = [c for c in map(_call, raw.get("tool_calls") or []) if c is not None]
    call_id = raw.get("tool_call_id")
    return UsageMessage(
        role=raw["role"],
        content=_text(raw.get("content")),
        tool_calls=calls,
        tool_call_id=str(call_id) if call_id is not None else None,
        tokens_in=_int(raw.get("tokens_in")),
        tokens_out=_int(raw.get("tokens_out")),
        cost_usd=_float(raw.get("cost_usd")),
    )


def _load(path: Path) -> dict[str, Any] | None:
    raw, _ = read_agent_file(path, MAX_USAGE_BYTES)
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def read_usage(path: Path) -> Usage | None:
    """The usage a CLI agent wrote to $AUTOEXP_USAGE (None: no file, or not a JSON object).
    Wrong-typed fields are ignored, never trusted."""
    data = _load(path)
    if data is None:
        return None
    raw_messages = data.get("messages") if isinstance(data.get("messages"), list) else []
    messages = [m for m in map(_message, raw_messages[:MAX_MESSAGES]) if m is not None]
    return Usage(
        tokens_in=_int(data.get("tokens_in")),
        tokens_out=_int(data.get("tokens_out")),
        cost_usd=_float(data.get("cost_usd")),
        steps=_int(data.get("steps")),
        messages=messages,
        source=path.name,
    )


def read_mini_trajectory(path: Path) -> Usage | None:
    """mini-swe-agent's `.traj.json` (format mini-swe-agent-1.1) as Usage: tokens from each
    model response's `usage`, steps from `info.model_stats.api_calls`, its cost when litellm
    priced the model (> 0; else unknown), its messages and exit status."""
    data = _load(path)
    if data is None:
        return None
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    stats = info.get("model_stats") if isinstance(info.get("model_stats"), dict) else {}
    raw_messages = data.get("messages") if isinstance(data.get("messages"), list) else []
    messages: list[UsageMessage] = []
    tokens_in = tokens_out = calls = 0
    for raw in raw_messages[:MAX_MESSAGES]:
        msg = _message(raw)
        if msg is None:
            continue
        extra = raw.get("extra") if isinstance(raw.get("extra"), dict) else {}
        response = extra.get("response") if isinstance(extra.get("response"), dict) else {}
        usage = response.get("usage") if isinstance(response.get("usage"), dict) else {}
        if msg.role == "assistant":
            calls += 1
            msg.tokens_in = _int(usage.get("prompt_tokens"))
            msg.tokens_out = _int(usage.get("completion_tokens"))
            cost = _float(extra.get("cost"))
            msg.cost_usd = cost if cost else None
            tokens_in += msg.tokens_in
            tokens_out += msg.tokens_out
        messages.append(msg)
    cost = _float(stats.get("instance_cost"))
    exit_status = info.get("exit_status")
    return Usage(
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        cost_usd=cost if cost else None,
        steps=_int(stats.get("api_calls")) or calls,
        messages=messages,
        exit_status=exit_status if isinstance(exit_status, str) else None,
        source=path.name,
    )
