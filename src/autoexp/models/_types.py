"""Data types of the model layer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ToolCall(BaseModel):
    """One tool call requested by the model."""

    id: str
    """Call id, echoed back in the tool message."""
    name: str
    """Tool name."""
    arguments: str
    """Raw JSON arguments as the model produced them (may be malformed)."""


class ModelResponse(BaseModel):
    """One chat completion."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    text: str | None = None
    """Assistant text content."""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    """Tool calls, if any."""
    tokens_in: int = 0
    """Prompt tokens from the API's usage."""
    tokens_out: int = 0
    """Completion tokens from the API's usage."""
    cost_usd: float | None = None
    """Cost of this call; None when the model's price is unknown."""
    raw: dict[str, Any] = Field(default_factory=dict)
    """The message as returned, for the trajectory."""
