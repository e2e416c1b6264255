"""Models: the OpenAI-compatible client, prices, and a fake server for tests."""

from autoexp.models._fake import FakeServer, FakeToolCall, Route, Script, ScriptEntry, Usage
from autoexp.models._openai import (
    LOCAL_DUMMY_KEY,
    MODEL_OPTION_KEYS,
    ContextWindowExceeded,
    ModelConfig,
    OpenAIModel,
    model_config_from_spec,
)
from autoexp.models._pricing import PRICES_ENV, Price, PriceTable, builtin_prices, load_prices
from autoexp.models._types import ModelResponse, ToolCall

__all__ = [
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
    "load_prices",
    "model_config_from_spec",
]
