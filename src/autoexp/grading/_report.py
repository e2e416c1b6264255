"""Checking the shape of what an agent submits (pure)."""

from __future__ import annotations

import json
import math
from typing import Any

from autoexp.grading._metrics import to_number

Results = dict[str, dict[str, float]]


def parse_report(raw: Any) -> tuple[Results | None, str | None]:
    """Turn a submission (JSON text or already-decoded object) into results.

    Returns (results, None) when the submission is an object of experiment id -> object of
    metric -> number; otherwise (None, why). Non-numeric metric values are an error; unknown
    experiments are kept (they are simply not graded).
    """
    if raw is None:
        return None, None
    if isinstance(raw, bytes | str):
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if not text.strip():
            return None, "the results file is empty"
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as e:
            return None, f"results are not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        except RecursionError:
            return None, "results are nested too deeply to read"
        except ValueError as e:  # e.g. an integer of more than 4300 digits
            return None, f"results are not valid JSON: {_short(str(e), 200)}"
    if not isinstance(raw, dict):
        return (
            None,
            f"results must be a JSON object keyed by experiment id, got {type(raw).__name__}",
        )
    out: Results = {}
    for exp_id, metrics in raw.items():
        if not isinstance(metrics, dict):
            return None, f"results[{_short(exp_id)}] must be an object of metric -> number"
        row: dict[str, float] = {}
        for name, value in metrics.items():
            num = to_number(value)
            if num is None:
                return (
                    None,
                    f"results[{_short(exp_id)}][{_short(name)}] is not a number: {_short(value)}",
                )
            if not math.isfinite(num):
                return None, f"results[{_short(exp_id)}][{_short(name)}] is not finite: {num}"
            row[_key(name)] = num
        out[_key(exp_id)] = row
    return out, None


def _short(value: object, limit: int = 80) -> str:
    """repr of a value from the agent, cut so an error message stays small."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an int of > 4300 digits, a too deeply nested value
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _key(value: object) -> str:
    """A key of the submission as a string (JSON keys already are)."""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except (ValueError, RecursionError):
        return _short(value)
