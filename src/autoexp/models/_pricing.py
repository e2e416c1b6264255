"""Model prices: a built-in table (package data) that a user YAML file can override."""

from __future__ import annotations

import os
import re
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autoexp._io import load_yaml
from autoexp.errors import AutoexpError

PRICES_ENV = "AUTOEXP_PRICES"
"""Environment variable naming a user prices YAML file (same shape as the built-in one)."""

_DATE_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$")


class Price(BaseModel):
    """Price of one model in US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    input: float = Field(ge=0)
    """Dollars per million prompt tokens."""
    output: float = Field(ge=0)
    """Dollars per million completion tokens."""

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        """Dollars for one call."""
        return (tokens_in * self.input + tokens_out * self.output) / 1_000_000


class PriceTable(BaseModel):
    """A prices YAML file."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    schema_: int = Field(default=1, alias="schema")
    """Format version of the file (1)."""
    as_of: str | None = None
    """When the prices were checked, for the reader."""
    models: dict[str, Price] = Field(default_factory=dict)
    """Model name -> price."""

    def price(self, model: str) -> Price | None:
        """The price of `model`: exact name, then without provider prefix, then without date."""
        for name in _candidates(model):
            if name in self.models:
                return self.models[name]
        return None

    def cost(self, model: str, tokens_in: int, tokens_out: int) -> float | None:
        """Dollars for one call; None when the model's price is unknown."""
        price = self.price(model)
        return None if price is None else price.cost(tokens_in, tokens_out)


def _candidates(model: str) -> list[str]:
    names = [model]
    if "/" in model:
        names.append(model.rsplit("/", 1)[1])
    for name in list(names):
        stripped = _DATE_SUFFIX.sub("", name)
        if stripped != name:
            names.append(stripped)
    return names


def _parse(text: str, source: str) -> PriceTable:
    try:
        data = load_yaml(text) or {}
        return PriceTable.model_validate(data)
    except (yaml.YAMLError, ValidationError) as e:
        raise AutoexpError(f"prices file {source} is invalid: {e}") from None


@cache
def builtin_prices() -> PriceTable:
    """The table shipped with autoexp (models/prices.yaml)."""
    text = resources.files("autoexp.models").joinpath("prices.yaml").read_text(encoding="utf-8")
    return _parse(text, "autoexp/models/prices.yaml")


def load_prices(path: Path | str | None = None) -> PriceTable:
    """The built-in table, overridden by `path` or else by the file named in $AUTOEXP_PRICES."""
    chosen = path if path is not None else os.environ.get(PRICES_ENV) or None
    base = builtin_prices()
    if chosen is None:
        return base
    p = Path(chosen)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise AutoexpError(f"cannot read prices file {p}: {e}") from None
    user = _parse(text, str(p))
    return PriceTable(schema=1, as_of=user.as_of, models={**base.models, **user.models})
