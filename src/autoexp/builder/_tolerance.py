"""Calibrating tolerances from repeated runs (pure): deterministic metrics get tight ones,
noisy metrics loose ones, from the spread observed over the runs."""

from __future__ import annotations

import math
from pathlib import Path
from statistics import fmean

from pydantic import BaseModel, ConfigDict, Field

from autoexp.tasks._model import Metric

SAFETY = 4.0
"""A noisy metric's tolerance is this many times the range (max - min) of its runs."""
NOISY_REPEATS = 10
"""An experiment whose runs disagree is run until it has this many runs: with 10 runs, a
fresh run falls outside 4 times their range about once in a million (with 3, twice in a
hundred)."""
RTOL_FLOOR = 1e-4
"""Relative tolerance of a deterministic non-integer metric, and the least one of any metric:
leaves room for a re-implementation that rounds differently, not for another result."""
ATOL_ZERO = 1e-8
"""Absolute tolerance of a deterministic metric whose value is 0."""
INT_ATOL = 0.5
"""Absolute tolerance of a deterministic metric printed as an integer (it must be exact)."""


class MetricSpread(BaseModel):
    """What repeated runs gave for one metric, and the tolerance drawn from it."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    values: list[float]
    """Its value in each run."""
    spread: float
    """max - min over the runs."""
    noisy: bool
    """The runs disagree."""
    rtol: float
    """Relative tolerance chosen."""
    atol: float
    """Absolute tolerance chosen."""


class ExperimentSpread(BaseModel):
    """Repeated runs of one experiment (written to hidden/calibration.json)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    runs: int
    """How many times it ran untraced."""
    seconds: list[float] = Field(default_factory=list)
    """Wall time of each run."""
    output_varies: bool = False
    """The runs printed different stdout (validation's identical-output check cannot hold)."""
    metrics: dict[str, MetricSpread] = Field(default_factory=dict)
    """Metric name -> its spread."""

    @property
    def noisy(self) -> bool:
        """Some metric differs between runs."""
        return any(m.noisy for m in self.metrics.values())


def _up(x: float, digits: int = 2) -> float:
    """`x` rounded up to `digits` significant digits."""
    if x <= 0 or not math.isfinite(x):
        return x
    scale = 10 ** (digits - 1 - math.floor(math.log10(x)))
    return math.ceil(x * scale - 1e-9) / scale


def _sig(x: float, digits: int = 6) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def calibrate(
    values: list[float], integer: bool, regex: str | None = None
) -> tuple[Metric, MetricSpread]:
    """The metric (expected value and tolerance) for the values of repeated runs.

    All equal: the value itself, with `atol` 0.5 when it is printed as an integer (exact),
    else `rtol` RTOL_FLOOR (and `atol` ATOL_ZERO for a zero). Spread out: their mean, with a
    tolerance of SAFETY times their range, as `rtol` (as `atol` when the mean is about 0).
    """
    lo, hi = min(values), max(values)
    spread = hi - lo
    if spread == 0:
        expected = values[0]
        if integer:
            rtol, atol = 0.0, INT_ATOL
        else:
            rtol, atol = RTOL_FLOOR, (ATOL_ZERO if expected == 0 else 0.0)
    else:
        expected = _sig(fmean(values), 8)
        tol = SAFETY * spread
        if abs(expected) > tol:
            rtol, atol = max(RTOL_FLOOR, _up(tol / abs(expected))), 0.0
        else:
            rtol, atol = 0.0, _up(tol)
        if expected == 0 and atol == 0:
            atol = ATOL_ZERO
    metric = Metric(expected=expected, rtol=rtol, atol=atol, regex=regex)
    return metric, MetricSpread(
        values=values, spread=spread, noisy=spread > 0, rtol=rtol, atol=atol
    )


CALIBRATION_FILE = "calibration.json"
"""In hidden/: the spread of every experiment over the build's repeated runs."""
CALIBRATION_SCHEMA = 1
"""Version of hidden/calibration.json this autoexp writes and reads."""


class Calibration(BaseModel):
    """hidden/calibration.json: how each experiment (visible and hidden) varied over repeated
    runs of the original code, and the tolerances drawn from it."""

    model_config = ConfigDict(use_attribute_docstrings=True, populate_by_name=True)

    schema_: int = Field(default=CALIBRATION_SCHEMA, alias="schema")
    """Version of this file's format."""
    repeats: int
    """Untraced runs per visible experiment (`--repeats`)."""
    safety: float = SAFETY
    """A noisy metric's tolerance is this many times its range."""
    experiments: dict[str, ExperimentSpread] = Field(default_factory=dict)
    """Experiment id (visible or hidden) -> its spread."""


def load_calibration(hidden_dir: Path) -> Calibration | None:
    """The calibration in `hidden_dir`, None when there is none or it is unreadable or newer
    than this autoexp reads (a task without one is judged as deterministic)."""
    path = hidden_dir / CALIBRATION_FILE
    if not path.is_file():
        return None
    try:
        cal = Calibration.model_validate_json(path.read_bytes())
    except (ValueError, OSError):
        return None
    return cal if cal.schema_ <= CALIBRATION_SCHEMA else None


def output_varies(hidden_dir: Path, experiment_id: str) -> bool:
    """Whether the build saw this experiment print different output on repeated runs of the
    original code (`hidden_dir`/calibration.json); its tolerances were calibrated to that
    spread, so it cannot be required to print the same output twice."""
    cal = load_calibration(hidden_dir)
    spread = cal.experiments.get(experiment_id) if cal else None
    return bool(spread and spread.output_varies)
