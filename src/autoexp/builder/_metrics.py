"""Finding an experiment's metrics in its output: the numbers of the last JSON line of stdout
when there is one, otherwise every labelled number of the output, each with a regex that
extracts it (pure)."""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, ConfigDict

from autoexp.grading._metrics import last_json_object, to_number

NUMBER = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"
"""A decimal number as programs print it."""
_NUMBER_IN_TEXT = re.compile(rf"(?<![\w.+-]){NUMBER}(?![\w.]*\d)(?![A-Za-z_])")
_TIMING = re.compile(
    r"(^|_)(time|times|elapsed|took|seconds?|secs?|duration|wall|runtime|speed|throughput|"
    r"it_s|ms|timestamp|date|pid)($|_)"
)
MAX_TEXT_METRICS = 30
"""At most this many metrics are taken from plain-text output (the last ones)."""


class FoundMetric(BaseModel):
    """A metric found in an experiment's output."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    name: str
    """Metric name (a JSON key, or a slug of the text before the number)."""
    value: float
    """Its value in this output."""
    integer: bool
    """Printed as an integer (no decimal point, no exponent)."""
    regex: str | None = None
    """Regex with one group extracting it (None: it comes from the last JSON line)."""


class FoundMetrics(BaseModel):
    """The metrics of one output and what was left out."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    source: str
    """`json` (the last JSON line of stdout) or `text` (numbers in the output, by regex)."""
    metrics: list[FoundMetric]
    """Metrics in output order."""
    dropped: list[str]
    """What was not taken, and why (timings, nested values, too many)."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def is_timing(name: str) -> bool:
    """Whether a metric name says it is a time, a date or a process id (never reproducible)."""
    return bool(_TIMING.search(_slug(name)))


def _is_int_text(text: str) -> bool:
    return not any(c in text for c in ".eE")


def _from_json(obj: dict) -> FoundMetrics:
    metrics: list[FoundMetric] = []
    dropped: list[str] = []
    for key, value in obj.items():
        number = to_number(value) if not isinstance(value, str) else None
        if number is None:
            if isinstance(value, dict | list):
                dropped.append(f"{key}: nested {type(value).__name__} (only top-level numbers)")
            continue
        if not math.isfinite(number):
            dropped.append(f"{key}: not finite")
        elif is_timing(key):
            dropped.append(f"{key}: a timing, not reproducible")
        else:
            metrics.append(FoundMetric(name=key, value=number, integer=isinstance(value, int)))
    return FoundMetrics(source="json", metrics=metrics, dropped=dropped)


def _pattern(text: str) -> str:
    """Regex source matching `text` literally, with runs of spaces as `\\s+`."""
    return r"\s+".join(re.escape(part) for part in re.split(r"\s+", text))


def _line_metrics(line: str) -> list[tuple[str, str, str]]:
    """(label, regex, number text) for every number of one line."""
    out = []
    pieces: list[str] = []
    last = 0
    label = ""
    for m in _NUMBER_IN_TEXT.finditer(line):
        segment = line[last : m.start()]
        label = _slug(segment) or (f"{label}_next" if label else "")
        pieces.append(_pattern(segment) if segment.strip() else (r"\s*" if segment else ""))
        prefix = "".join(pieces)
        regex = rf"^\s*{prefix}({NUMBER})"
        out.append((label, regex, m.group(0)))
        pieces.append(r"\S+")  # an earlier number of the line, whatever its value
        last = m.end()
    return out


def _from_text(stdout: str) -> FoundMetrics:
    found: dict[str, tuple[str, str]] = {}  # regex -> (label, last number text)
    for line in stdout.splitlines():
        if not line.strip():
            continue
        for label, regex, number in _line_metrics(line.rstrip()):
            found.pop(regex, None)  # keep the last occurrence's place and value
            found[regex] = (label, number)
    dropped: list[str] = []
    items = [(label, regex, number) for regex, (label, number) in found.items()]
    kept: list[tuple[str, str, str]] = []
    for label, regex, number in items:
        if label and is_timing(label):
            dropped.append(f"{label}: a timing, not reproducible")
        else:
            kept.append((label, regex, number))
    if len(kept) > MAX_TEXT_METRICS:
        dropped.append(f"{len(kept) - MAX_TEXT_METRICS} earlier numbers (kept the last ones)")
        kept = kept[-MAX_TEXT_METRICS:]
    metrics: list[FoundMetric] = []
    names: set[str] = set()
    for i, (label, regex, number) in enumerate(kept, 1):
        name = label or f"value{i}"
        base, k = name, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.add(name)
        metrics.append(
            FoundMetric(name=name, value=float(number), integer=_is_int_text(number), regex=regex)
        )
    return FoundMetrics(source="text", metrics=metrics, dropped=dropped)


def find_metrics(stdout: str) -> FoundMetrics:
    """The metrics of an experiment's stdout: the numbers of its last JSON line if it has one
    (read without a regex, as `grading` reads them), else the labelled numbers of the text,
    each with a regex whose last match is the value (repeated lines, like a training log,
    give one metric: the last line's number)."""
    obj = last_json_object(stdout)
    if obj is not None:
        found = _from_json(obj)
        if found.metrics:
            return found
    return _from_text(stdout)
