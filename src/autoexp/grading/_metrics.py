"""Reading metrics from an experiment's output and comparing them with the paper (pure)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from autoexp.tasks._model import Metric


def tolerance(metric: Metric) -> float:
    """Allowed |got - expected|: atol + rtol * |expected|."""
    return metric.atol + metric.rtol * abs(metric.expected)


def within(got: float | None, metric: Metric) -> bool:
    """Whether `got` matches the expected value; None, NaN and infinities never match.

    A value exactly on the boundary passes (a relative 1e-12 slack absorbs float rounding of the
    subtraction, so `1.01` is within `rtol=0.01` of `1.0`).
    """
    if got is None or not math.isfinite(got):
        return False
    slack = 1e-12 * max(1.0, abs(metric.expected))
    return abs(got - metric.expected) <= tolerance(metric) + slack


def to_number(value: Any) -> float | None:
    """A JSON value as a float, or None when it is not a number (bools are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an int too large for a float
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def last_json_object(text: str) -> dict[str, Any] | None:
    """The last line of `text` that parses as a JSON object (lines with other text are skipped)."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if not (line.startswith("{") and line.endswith("}")):
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):  # not JSON, an int of > 4300 digits, too deep
            continue
        if isinstance(obj, dict):
            return obj
    return None


def parse_metrics(stdout: str, metrics: Mapping[str, Metric]) -> dict[str, float | None]:
    """Values of `metrics` in an experiment's stdout.

    A metric with a regex takes the last match's group; the others come from the last stdout
    line that is a JSON object. Missing or non-numeric values are None.
    """
    obj = last_json_object(stdout)
    out: dict[str, float | None] = {}
    for name, metric in metrics.items():
        if metric.regex is not None:
            matches = re.findall(metric.regex, stdout, flags=re.MULTILINE)
            out[name] = to_number(matches[-1]) if matches else None
        else:
            out[name] = to_number(obj.get(name)) if obj is not None else None
    return out
