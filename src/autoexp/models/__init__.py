"""Models: the OpenAI-compatible client, prices, and a fake server for tests."""

from autoexp.models._fake import FakeServer, FakeToolCall, Route, Script, ScriptEntry, Usage
from autoexp.models._openai import (
    DEFAULT_ENDPOINT,
    LOCAL_DUMMY_KEY,
    MODEL_OPTION_KEYS,
    ContextWindowExceeded,
    ModelConfig,
    OpenAIModel,
    check_endpoint,
    endpoint_url,
    resolve_endpoint,
)
from autoexp.models._pricing import PRICES_ENV, Price, PriceTable, builtin_prices, load_prices
from autoexp.models._types import ModelResponse, ToolCall

__all__ = [
    "DEFAULT_ENDPOINT",
    "LOCAL_DUMMY_KEY",
    "MODEL_OPTION_KEYS",
    "PRICES_ENV",
    "ContextWindowExceeded",
    "FakeServer",
    "FakeToolCall",
    "ModelConfig",
    "ModelResponse",
    "OpenAIModel",
    "Price",
    "PriceTable",
    "Route",
    "Script",
    "ScriptEntry",
    "ToolCall",
    "Usage",
    "builtin_prices",
    "check_endpoint",
    "endpoint_url",
    "load_prices",
    "resolve_endpoint",
]
