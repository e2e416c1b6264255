"""Grading masked functions by their differential tests."""

from __future__ import annotations

from pathlib import Path

from autoexp.difftest._compare import compare
from autoexp.difftest._index import function_slug, load_index, samples_dir
from autoexp.difftest._replay import Replay, SampleFiles, replay
from autoexp.difftest._types import FunctionSamples, SampleIndex
from autoexp.errors import TaskError
from autoexp.grading._types import DiffVerdict, FunctionOutcome
from autoexp.protocols import Sandbox
from autoexp.tasks._model import DiffTolerance, Task


def judge(
    function_id: str, entry: FunctionSamples, run: Replay, tol: DiffTolerance
) -> FunctionOutcome:
    """The verdict on one function from its runner process (pure): every recorded call must
    come back, without raising, equal to the recording within `tol`."""
    n = len(entry.samples)
    out = FunctionOutcome(function=function_id, verdict=DiffVerdict.PASSED, samples=n)
    if run.results is None:
        out.verdict = DiffVerdict.TIMEOUT if run.timed_out else DiffVerdict.NOT_COMPARABLE
        out.detail = _tail(f"{run.problem}; exit {run.exit_code}", run)
        return out
    if run.results.get("error"):
        out.verdict = DiffVerdict.NOT_COMPARABLE
        out.detail = _tail(str(run.results["error"])[:300], run)
        return out
    first: tuple[DiffVerdict, str] | None = None
    for i, sample in enumerate(entry.samples):
        if i >= len(run.samples):
            break
        got = run.samples[i]
        where = f"sample {i} ({sample.experiment} call {sample.call})"
        verdict, detail = _one(got, sample.expected, tol)
        if verdict is DiffVerdict.PASSED:
            out.passed_samples += 1
        elif first is None:
            first = verdict, f"{where}: {detail}"
    if first is not None:
        out.verdict, out.detail = first
    elif out.passed_samples == n and run.results.get("done") is True and run.exit_code == 0:
        out.detail = f"{n}/{n} samples"
    elif run.timed_out:
        out.verdict = DiffVerdict.TIMEOUT
        out.detail = f"timed out after {len(run.samples)} of {n} samples"
    else:
        out.verdict = DiffVerdict.NOT_COMPARABLE
        out.detail = _tail(
            f"the process ended (exit {run.exit_code}) after {len(run.samples)} of {n} samples",
            run,
        )
    return out


def _one(got: object, expected: dict, tol: DiffTolerance) -> tuple[DiffVerdict, str]:
    if not isinstance(got, dict):
        return DiffVerdict.NOT_COMPARABLE, "malformed result"
    if got.get("error"):
        err = str(got["error"])[:300]
        if err.startswith("output"):  # over the size cap: cannot equal the recording
            return DiffVerdict.WRONG_OUTPUT, err
        return DiffVerdict.NOT_COMPARABLE, err
    if got.get("raised"):
        return DiffVerdict.RAISED, f"raised {str(got['raised'])[:300]}"
    actual = {"return": got.get("return"), "after": got.get("after")}
    mismatch = compare(expected, actual, tol.rtol, tol.atol)
    if mismatch:
        return DiffVerdict.WRONG_OUTPUT, mismatch[:500]
    return DiffVerdict.PASSED, ""


def _tail(text: str, run: Replay) -> str:
    tail = run.stderr_tail.strip().splitlines()[-3:]
    return (text + (" | " + " / ".join(tail) if tail else ""))[:800]


def run_differential(
    task: Task,
    combo: tuple[str, ...] | list[str],
    tree: Path,
    sandbox: Sandbox,
    scratch: Path,
    *,
    timeout_s: float,
) -> list[FunctionOutcome]:
    """Differential test of each function of `combo` that has samples, on `tree` (the merged
    code; copied, never written): each function in its own sandboxed process without
    network, on a fresh copy with only its own input pickles; outputs come back as JSON and
    are compared here with the function's `differential` tolerance. Functions without
    samples are left out. Raises TaskError when the index or its sample files are unusable
    (the task's fault, not the agent's)."""
    index = load_index(task)
    if index is None:
        return []
    outcomes: list[FunctionOutcome] = []
    for fid in combo:
        entry = index.functions.get(fid)
        if entry is None or not entry.samples:
            continue
        base = samples_dir(task)
        inputs = [
            SampleFiles(
                input=base / s.file,
                random=base / s.random_file if s.random_file else None,
                blobs=tuple(base / b for b in s.blobs),
            )
            for s in entry.samples
        ]
        missing = [
            f for f in inputs for p in (f.input, f.random, *f.blobs) if p and not p.is_file()
        ]
        if missing:
            raise TaskError(
                f"{task.id}: sample files of {fid} are missing under {base} (e.g. "
                f"{missing[0].input.name}); re-record them with `autoexp tasks record {task.id}`"
            )
        work = scratch / f"diff-{function_slug(fid)}"
        run = replay(task, tree, fid, entry, inputs, sandbox, work, timeout_s=timeout_s)
        outcomes.append(judge(fid, entry, run, task.function(fid).differential))
    return outcomes


def suggested_timeout(index: SampleIndex, functions: list[str] | None = None) -> float:
    """A timeout for one function's runner process: 20 times the slowest recorded replay of
    the original (of `functions`, default all), at least 30 s."""
    chosen = [e for f, e in index.functions.items() if functions is None or f in functions]
    slowest = max((e.replay_seconds for e in chosen), default=0.0)
    return max(30.0, 20.0 * slowest)
