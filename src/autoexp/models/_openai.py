"""The Model protocol over any OpenAI-compatible chat completions API (`openai` SDK)."""

from __future__ import annotations

import json
import logging
import os
import random
import re
import time
from pathlib import Path
from typing import Any

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autoexp.errors import BudgetExceeded, ConfigError, EndpointError, ModelAPIError
from autoexp.models._pricing import PriceTable, load_prices
from autoexp.models._types import ModelResponse, ToolCall

log = logging.getLogger(__name__)

LOCAL_DUMMY_KEY = "not-needed"
"""API key sent to a server at an explicit base_url when the key variable is unset."""
DEFAULT_ENDPOINT = "https://api.openai.com/v1"
"""Where the SDK goes without a base_url (named in messages)."""
PREFLIGHT_TIMEOUT_S = 10.0
"""Timeout of the pre-flight request (no retries)."""

_RETRY_STATUS = {408, 409, 429}
_CONTEXT_ERROR = re.compile(
    r"context[_ ]length|context window|maximum context|too many tokens|prompt is too long",
    re.IGNORECASE,
)
_MAX_RETRY_AFTER_S = 120.0


class _BadResponse(Exception):
    """The server answered 200 with something that is not a usable completion."""


class ContextWindowExceeded(BudgetExceeded):
    """The conversation no longer fits the model's context window (an agent end state)."""

    def __init__(self, message: str) -> None:
        super().__init__("context_window", message)


class ModelConfig(BaseModel):
    """How to reach one chat model through an OpenAI-compatible API."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    name: str
    """Model name as the API knows it (e.g. `gpt-4o`, or what a local server serves)."""
    base_url: str | None = None
    """Endpoint, e.g. `http://localhost:8000/v1` (None: $OPENAI_BASE_URL or the SDK default)."""
    api_key_env: str = "OPENAI_API_KEY"
    """Environment variable holding the API key; unset is fine for a server at a base_url."""
    max_retries: int = Field(default=4, ge=0)
    """Retries on 408/409/429/5xx, timeouts and connection errors before ModelAPIError."""
    backoff_s: float = Field(default=1.0, ge=0)
    """First retry delay; doubles on every retry (with jitter), capped at max_backoff_s."""
    max_backoff_s: float = Field(default=30.0, ge=0)
    """Largest delay between two retries (a server's Retry-After is honoured up to 120 s)."""
    timeout_s: float = Field(default=600.0, gt=0)
    """Timeout of one HTTP request."""
    temperature: float | None = None
    """Sampling temperature (None: the server's default)."""
    max_output_tokens: int | None = Field(default=None, gt=0)
    """`max_tokens` of each completion (None: the server's default)."""
    stream: bool = False
    """Use streamed completions (SSE) and ask for usage in the last chunk."""
    prices_file: Path | None = None
    """User prices YAML overriding the built-in table (None: $AUTOEXP_PRICES, if set)."""
    extra_body: dict[str, Any] = Field(default_factory=dict)
    """Extra JSON fields sent with every request (server-specific switches)."""


MODEL_OPTION_KEYS = frozenset(ModelConfig.model_fields) - {"name", "base_url", "api_key_env"}
"""The ModelConfig fields other than where the model is (agents take them as options)."""


def field_errors(e: ValidationError) -> str:
    """A pydantic error as one line per field: `field: message; other: message`."""
    return "; ".join(
        f"{'.'.join(map(str, err['loc'])) or 'value'}: {err['msg']}" for err in e.errors()
    )


def resolve_endpoint(config: ModelConfig) -> tuple[str | None, str]:
    """(base_url, API key) the client uses: the base_url of the config or $OPENAI_BASE_URL (None:
    the SDK default); the key from `api_key_env`, or a dummy for a server at a base_url.

    Raises ConfigError when the key is unset and there is no base_url.
    """
    base_url = config.base_url or os.environ.get("OPENAI_BASE_URL") or None
    key = os.environ.get(config.api_key_env)
    if not key:
        if base_url is None:
            raise ConfigError(
                f"no API key: set {config.api_key_env}, or give a base_url for a local server"
            )
        key = LOCAL_DUMMY_KEY
    return base_url, key


def endpoint_url(base_url: str | None) -> str:
    """The URL a model's requests go to: `base_url`, else $OPENAI_BASE_URL, else the SDK's."""
    return base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_ENDPOINT


def check_endpoint(config: ModelConfig, timeout_s: float = PREFLIGHT_TIMEOUT_S) -> str:
    """One cheap request to the endpoint of `config` (list the models; a 1-token completion
    when the server has no /models), with a short timeout and no retries.

    Returns the endpoint's URL; raises EndpointError naming it and the error.
    """
    base_url, key = resolve_endpoint(config)
    where = endpoint_url(base_url)
    client = openai.OpenAI(
        api_key=key, base_url=base_url, max_retries=0, timeout=min(timeout_s, config.timeout_s)
    )
    try:
        try:
            client.models.list()
        except openai.NotFoundError:  # a server without /models
            client.chat.completions.create(
                model=config.name, messages=[{"role": "user", "content": "ping"}], max_tokens=1
            )
    except Exception as e:
        raise EndpointError(
            f"model endpoint {where} does not answer: {type(e).__name__}: {e}"
        ) from None
    return where


class OpenAIModel:
    """A chat model behind an OpenAI-compatible API, with retries, token counts and cost."""

    def __init__(self, config: ModelConfig, prices: PriceTable | None = None) -> None:
        self.config = config
        self.name = config.name
        self.prices = prices if prices is not None else load_prices(config.prices_file)
        base_url, key = resolve_endpoint(config)
        self.base_url = base_url
        self._client = openai.OpenAI(
            api_key=key, base_url=base_url, max_retries=0, timeout=config.timeout_s
        )

    def query(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> ModelResponse:
        """One chat completion; retries transient failures, then raises ModelAPIError."""
        kwargs: dict[str, Any] = {"model": self.name, "messages": messages}
        if tools:
            kwargs["tools"] = tools
        if self.config.temperature is not None:
            kwargs["temperature"] = self.config.temperature
        if self.config.max_output_tokens is not None:
            kwargs["max_tokens"] = self.config.max_output_tokens
        if self.config.extra_body:
            kwargs["extra_body"] = self.config.extra_body
        attempt = 0
        while True:
            try:
                if self.config.stream:
                    return self._streamed(kwargs)
                return self._plain(kwargs)
            except openai.APIStatusError as e:
                if e.status_code == 400 and _CONTEXT_ERROR.search(str(e)):
                    raise ContextWindowExceeded(f"model {self.name}: {e}") from e
                retryable = e.status_code in _RETRY_STATUS or e.status_code >= 500
                err: Exception = e
                retry_after = _retry_after(e.response.headers)
            except openai.APIConnectionError as e:  # includes APITimeoutError
                retryable, err, retry_after = True, e, None
            except (openai.APIResponseValidationError, json.JSONDecodeError, _BadResponse) as e:
                retryable, err, retry_after = True, e, None
            if not retryable or attempt >= self.config.max_retries:
                tries = attempt + 1
                raise ModelAPIError(
                    f"model {self.name} at {self.base_url or 'default endpoint'}: "
                    f"{type(err).__name__}: {err} (after {tries} tr{'y' if tries == 1 else 'ies'})"
                ) from err
            delay = self._delay(attempt, retry_after)
            log.warning("model %s: %s; retry %d in %.2f s", self.name, err, attempt + 1, delay)
            time.sleep(delay)
            attempt += 1

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None and 0 <= retry_after <= _MAX_RETRY_AFTER_S:
            return retry_after
        base = min(self.config.backoff_s * 2**attempt, self.config.max_backoff_s)
        return base * (1 - 0.25 * random.random())

    def _response(
        self,
        text: str | None,
        calls: list[ToolCall],
        usage: dict[str, Any] | None,
    ) -> ModelResponse:
        tokens_in = int((usage or {}).get("prompt_tokens") or 0)
        tokens_out = int((usage or {}).get("completion_tokens") or 0)
        cost = self.prices.cost(self.name, tokens_in, tokens_out) if usage is not None else None
        raw: dict[str, Any] = {"role": "assistant", "content": text}
        if calls:
            raw["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in calls
            ]
        return ModelResponse(
            text=text,
            tool_calls=calls,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost_usd=cost,
            raw=raw,
        )

    def _plain(self, kwargs: dict[str, Any]) -> ModelResponse:
        completion = self._client.chat.completions.create(**kwargs)
        data = completion.model_dump()
        choices = data.get("choices") or []
        if not choices:
            raise _BadResponse("the completion has no choices")
        message = choices[0].get("message") or {}
        calls = [
            ToolCall(
                id=c.get("id") or f"call_{i}",
                name=(c.get("function") or {}).get("name") or "",
                arguments=(c.get("function") or {}).get("arguments") or "",
            )
            for i, c in enumerate(message.get("tool_calls") or [])
        ]
        return self._response(message.get("content"), calls, data.get("usage"))

    def _streamed(self, kwargs: dict[str, Any]) -> ModelResponse:
        stream = self._client.chat.completions.create(
            **kwargs, stream=True, stream_options={"include_usage": True}
        )
        text_parts: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        usage: dict[str, Any] | None = None
        for chunk in stream:
            data = chunk.model_dump()
            if data.get("usage"):
                usage = data["usage"]
            for choice in data.get("choices") or []:
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    text_parts.append(delta["content"])
                for tc in delta.get("tool_calls") or []:
                    slot = calls.setdefault(tc.get("index", 0), {"id": "", "name": "", "args": ""})
                    if tc.get("id"):
                        slot["id"] = tc["id"]
                    fn = tc.get("function") or {}
                    if fn.get("name"):
                        slot["name"] += fn["name"]
                    if fn.get("arguments"):
                        slot["args"] += fn["arguments"]
        tool_calls = [
            ToolCall(id=s["id"] or f"call_{i}", name=s["name"], arguments=s["args"])
            for i, s in sorted(calls.items())
        ]
        text = "".join(text_parts) if text_parts else None
        return self._response(text, tool_calls, usage)


def _retry_after(headers: Any) -> float | None:
    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(header) if headers is not None else None
        if value is None:
            continue
        try:
            return float(value) / divisor
        except ValueError:
            continue
    return None
