"""Running a command of the build: once under the profiler and R times plainly, in parallel,
then reading and calibrating its metrics."""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

from autoexp.builder._calls import CommandProfile, profile_command, run_plain
from autoexp.builder._metrics import FoundMetric
from autoexp.builder._tolerance import NOISY_REPEATS, ExperimentSpread, calibrate
from autoexp.grading._metrics import parse_metrics
from autoexp.protocols import Sandbox
from autoexp.sandbox._types import ExecResult
from autoexp.tasks._model import Metric

T = TypeVar("T")
U = TypeVar("U")
MIN_TIMEOUT_S = 60.0
"""Least `timeout_s` a built experiment gets."""
TIMEOUT_FACTOR = 5.0
"""A built experiment's `timeout_s` is this many times its slowest run (profiled included)."""


class CommandRuns(BaseModel):
    """One profiled and R plain runs of one command."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    command: str
    """The command."""
    profile: CommandProfile
    """The profiled run."""
    plain: list[ExecResult] = Field(default_factory=list)
    """The plain runs."""

    @property
    def failure(self) -> str | None:
        """Why some run failed (None: all exited 0 in time)."""
        for res in [self.profile.result, *self.plain]:
            if not res.ok:
                why = "timed out" if res.timed_out else f"exited {res.exit_code}"
                return f"{why}: {res.stderr[-800:].strip()}"
        return None

    def timeout_s(self) -> float:
        """The experiment's timeout: TIMEOUT_FACTOR times its slowest run, at least 60 s."""
        slowest = max(r.duration_s for r in [self.profile.result, *self.plain])
        return float(max(MIN_TIMEOUT_S, math.ceil(TIMEOUT_FACTOR * slowest)))


def parallel(jobs: list[Callable[[], T]], workers: int) -> list[T]:
    """Results of `jobs`, run by up to `workers` threads, in the order given."""
    if workers <= 1 or len(jobs) <= 1:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job) for job in jobs]
        return [f.result() for f in futures]


def parallel_two(
    a: list[Callable[[], T]], b: list[Callable[[], U]], workers: int
) -> tuple[list[T], list[U]]:
    """Results of two lists of jobs run together, by up to `workers` threads."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        fa = [pool.submit(job) for job in a]
        fb = [pool.submit(job) for job in b]
        return [f.result() for f in fa], [f.result() for f in fb]


@dataclass
class Runner:
    """Where and how the build runs commands: each run on a fresh copy of `code_dir` in
    `scratch`, through `sandbox`, without network, `workers` at a time."""

    code_dir: Path
    scratch: Path
    sandbox: Sandbox
    workers: int
    timeout_s: float
    """Limit of one run during the build (the experiments' own come from their times)."""
    repeats: int
    """Plain runs per visible experiment."""

    def run(self, commands: list[str], repeats: list[int], tag: str) -> list[CommandRuns]:
        """For each command, one profiled run and `repeats[i]` plain runs, all in parallel;
        then more plain runs of each command whose runs printed different output, up to
        NOISY_REPEATS (a spread is not estimated from two or three runs)."""
        code_dir, scratch, sandbox, timeout_s = (
            self.code_dir, self.scratch, self.sandbox, self.timeout_s
        )  # fmt: skip

        def plain(cmd: str, i: int, r: int) -> Callable[[], ExecResult]:
            work = scratch / f"{tag}{i}-run{r}"
            return lambda: run_plain(cmd, code_dir, work, sandbox, timeout_s=timeout_s)

        def profiled(cmd: str, i: int) -> Callable[[], CommandProfile]:
            work = scratch / f"{tag}{i}-profile"
            return lambda: profile_command(cmd, code_dir, work, sandbox, timeout_s=timeout_s)

        profiles = parallel_two(
            [profiled(c, i) for i, c in enumerate(commands)],
            [plain(c, i, r) for i, c in enumerate(commands) for r in range(repeats[i])],
            self.workers,
        )
        first, rest = profiles
        out: list[CommandRuns] = []
        at = 0
        for i, cmd in enumerate(commands):
            out.append(CommandRuns(command=cmd, profile=first[i], plain=rest[at : at + repeats[i]]))
            at += repeats[i]
        more = [
            (k, r)
            for k, c in enumerate(out)
            if c.failure is None and len({p.stdout for p in c.plain}) > 1
            for r in range(len(c.plain), max(NOISY_REPEATS, self.repeats))
        ]
        extra = parallel([plain(commands[k], k, r) for k, r in more], self.workers)
        for (k, _), res in zip(more, extra, strict=True):
            out[k].plain.append(res)
        return out


def calibrate_metrics(
    found: list[FoundMetric], outputs: list[ExecResult]
) -> tuple[dict[str, Metric], ExperimentSpread, list[str]]:
    """Metrics (expected value and calibrated tolerance) of `found` over the runs `outputs`,
    their spread, and the metrics dropped because some run did not print them."""
    probes = {f.name: Metric(expected=1.0, regex=f.regex) for f in found}
    values = [parse_metrics(res.stdout, probes) for res in outputs]
    metrics: dict[str, Metric] = {}
    spread = ExperimentSpread(
        runs=len(outputs),
        seconds=[round(r.duration_s, 3) for r in outputs],
        output_varies=len({r.stdout for r in outputs}) > 1,
    )
    dropped: list[str] = []
    for f in found:
        got = [v[f.name] for v in values]
        if any(g is None or not math.isfinite(g) for g in got):
            dropped.append(f"{f.name}: not printed (or not finite) in every run")
            continue
        metric, metric_spread = calibrate(
            [float(g) for g in got if g is not None], f.integer, f.regex
        )
        metrics[f.name] = metric
        spread.metrics[f.name] = metric_spread
    return metrics, spread, dropped
