"""Validating a task: the oracle reproduces, masking and mutants are caught, dependencies are
right, the paper leaks no code, no TODO placeholder is left.

An experiment whose output varied between `autoexp build`'s runs of the original code
(hidden/calibration.json) cannot print the same output twice; its tolerances were calibrated
to that spread instead, so its oracle check asks that both runs be within them."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from autoexp.builder._describe import todo_items
from autoexp.builder._tolerance import output_varies
from autoexp.builder._trace import install_tracer, traced_calls, traced_command
from autoexp.difftest import has_samples, load_index, run_differential, suggested_timeout
from autoexp.errors import AutoexpError, MaskingError, TaskError
from autoexp.grading import DiffVerdict, FunctionOutcome, grade_experiment, within
from autoexp.masking import body_of_def, leak_check, mask_tree, replace_body
from autoexp.protocols import Sandbox
from autoexp.runner._attempt import run_experiment
from autoexp.sandbox._types import ExecResult
from autoexp.tasks._model import Experiment, Function, HiddenExperiment, Task

T = TypeVar("T")

_MUTANT_OF = re.compile(r"^#\s*mutant-of:\s*(\S+)\s*$", re.MULTILINE)
_BUG = re.compile(r"^#\s*bug:\s*(.+?)\s*$", re.MULTILINE)
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]*\d)")
_MIN_SIGNIFICANT = 3
"""A paper number with fewer significant digits (`0.2`, `12`) carries too little to leak."""


def _significant(text: str) -> int:
    return len(text.lstrip("-").replace(".", "").lstrip("0"))


def paper_leaks(paper: str, hidden: list[HiddenExperiment]) -> list[str]:
    """Hidden expected values that the paper prints, at the precision the paper prints them.

    Each number of the paper with at least 3 significant digits is compared with every hidden
    metric rounded to that number's decimals; a match is a leak (`exp.metric=value ~ text`).
    """
    found: list[str] = []
    numbers = {
        m.group(0) for m in _NUMBER.finditer(paper) if _significant(m.group(0)) >= _MIN_SIGNIFICANT
    }
    for h in hidden:
        for name, metric in h.metrics.items():
            for text in numbers:
                decimals = len(text.split(".")[1]) if "." in text else 0
                if round(metric.expected, decimals) == float(text):
                    found.append(f"{h.id}.{name}={metric.expected:g} ~ {text!r} in the paper")
    return sorted(set(found))


class Check(BaseModel):
    """One validation check."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    name: str
    """What was checked, e.g. `oracle`, `mask stats.py::mean`, `mutant variance-biased`."""
    ok: bool
    """Whether it passed."""
    detail: str = ""
    """What happened."""
    seconds: float = 0.0
    """Time taken."""


class MutantRow(BaseModel):
    """One row of the mutant-kill table."""

    function: str
    """Function id."""
    mutant: str
    """Mutant file name."""
    bug: str
    """The bug, from the mutant's `# bug:` line."""
    killed_by: str | None
    """Experiment that caught it (None: survived)."""
    killed_by_diff: bool | None = None
    """Whether the function's differential test alone catches it (None: no samples)."""
    diff_detail: str = ""
    """The differential verdict and its first mismatch."""


class TaskValidation(BaseModel):
    """Validation result of one task."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    task: str
    """Task id."""
    path: str
    """Task directory."""
    ok: bool
    """All checks passed."""
    checks: list[Check] = Field(default_factory=list)
    """Every check, in order."""
    mutants: list[MutantRow] = Field(default_factory=list)
    """Mutant-kill table."""
    oracle_seconds: dict[str, float] = Field(default_factory=dict)
    """Wall time of each experiment under the oracle."""
    skipped: str | None = None
    """Why the task was not validated here (e.g. it needs a GPU this machine lacks); None: it
    was. A skipped task has no checks and counts as ok."""


def _first_failure(
    task: Task, tree: Path, exps: list[Experiment], sandbox: Sandbox, scratch: Path, tag: str
) -> tuple[str | None, str]:
    """Run `exps` on `tree` until one fails; return (failing experiment id, detail). Only
    "caught or not" is needed, so the experiments after the first failure are not run."""
    if not exps:
        return None, "no dependent experiment that the oracle reproduces"
    for exp in exps:
        res = run_experiment(sandbox, task, exp, tree, scratch / f"{tag}-{exp.id}")
        outcome = grade_experiment(exp, res, None)
        if not outcome.passed:
            return exp.id, f"{exp.id}: {outcome.reason.value}"
    return None, "every dependent experiment still passes"


def default_jobs() -> int:
    """How many sandbox commands validation runs at once by default: the CPUs this process
    may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class _Jobs:
    """One task's sandbox commands, run in a thread pool (threads only wait for their
    processes; the pool may be shared by several tasks), each job with a scratch directory
    of its own."""

    def __init__(self, jobs: int, scratch: Path, pool: Executor | None = None) -> None:
        self.own = pool is None
        self.pool = pool or ThreadPoolExecutor(max(1, jobs), thread_name_prefix="validate")
        self.scratch = scratch
        self.count = 0
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run `fn(job_scratch, *args)`; its scratch directory is removed afterwards."""
        self.count += 1
        where = self.scratch / f"job-{self.count}"

        def job() -> T:
            where.mkdir()
            where.chmod(0o755)  # the sandbox may run as an unprivileged uid that must reach it
            try:
                return fn(where, *args)
            finally:
                shutil.rmtree(where, ignore_errors=True)

        future = self.pool.submit(job)
        self.futures.append(future)
        return future

    def close(self) -> None:
        """Drop this task's jobs not started and wait for its running ones."""
        for future in self.futures:
            future.cancel()
        wait(self.futures)
        if self.own:
            self.pool.shutdown(wait=True)


def read_mutant(path: Path) -> tuple[str, str, str]:
    """(function id, bug description, body) of a mutant file."""
    text = path.read_text(encoding="utf-8")
    m = _MUTANT_OF.search(text)
    if not m:
        raise AutoexpError(f"{path}: first lines must include '# mutant-of: file.py::name'")
    bug = _BUG.search(text)
    return m.group(1), bug.group(1) if bug else "", body_of_def(text)


def validate_task(
    task: Task,
    sandbox: Sandbox,
    *,
    on_check: Callable[[Check], None] | None = None,
    trace: bool = True,
    mutants: bool = True,
    jobs: int | None = None,
    pool: Executor | None = None,
) -> TaskValidation:
    """Run every check on `task`; `on_check` is called with each check, in order.

    The checks' sandbox commands are independent of each other, so up to `jobs` of them run
    at once (default: `default_jobs()`, every CPU this process may use), or they run in
    `pool`, a thread pool that several tasks share. Results and the order of the checks are
    the same however many run at once."""
    result = TaskValidation(task=task.id, path=str(task.root), ok=True)

    def add(check: Check) -> None:
        result.checks.append(check)
        result.ok = result.ok and check.ok
        if on_check:
            on_check(check)

    scratch = Path(tempfile.mkdtemp(prefix=f"autoexp-validate-{task.id}-"))
    scratch.chmod(0o755)
    work = _Jobs(default_jobs() if jobs is None else jobs, scratch, pool)
    try:
        # Everything that runs the original code first: the oracle twice per experiment, the
        # differential oracle, the traces; the masks and mutants need the oracle's results.
        every = [*task.spec.experiments, *task.spec.hidden_experiments]
        # The traced run of an experiment (for depends_on) is a second run of the original
        # code too: it serves as the determinism check's second run, and only when it is not
        # identical (or the task has a setup command, which tracing skips) does a plain
        # second run decide.
        reuse_trace = trace and not task.spec.setup
        firsts: dict[str, Future[tuple[ExecResult, float]]] = {}
        seconds: dict[str, Future[tuple[ExecResult, float]]] = {}
        traces: dict[str, Future[_Traced]] = {}
        for exp in every:
            firsts[exp.id] = work.submit(_timed_run, sandbox, task, exp)
            if trace:
                traces[exp.id] = work.submit(_traced_run, sandbox, task, exp)
            if not reuse_trace:
                seconds[exp.id] = work.submit(_timed_run, sandbox, task, exp)
        diff_start = _start_differential(task, sandbox, work) if has_samples(task) else None

        # 1. the oracle reproduces every experiment (visible and hidden), twice, identically
        reproduced: set[str] = set()
        for exp in every:
            first, s1 = firsts[exp.id].result()
            result.oracle_seconds[exp.id] = round(s1, 3)
            outcome = grade_experiment(exp, first, None)
            detail = f"{result.oracle_seconds[exp.id]:.2f}s"
            ok = outcome.passed
            took = s1
            if not ok:
                bad = {
                    k: (m.verified, m.expected)
                    for k, m in outcome.metrics.items()
                    if not m.verified_ok
                }
                detail = f"{outcome.reason.value} {bad} {outcome.stderr_tail[-300:]}"
            else:
                if reuse_trace:
                    traced = traces[exp.id].result()
                    second, s2 = traced.run, traced.seconds
                    if not second.ok or second.stdout != first.stdout:
                        second, s2 = work.submit(_timed_run, sandbox, task, exp).result()
                else:
                    second, s2 = seconds[exp.id].result()
                took += s2
                ok, detail = _deterministic(task, exp, first, second, detail)
            add(Check(name=f"oracle {exp.id}", ok=ok, detail=detail, seconds=took))
            if ok:
                reproduced.add(exp.id)

        if task.spec.hidden_experiments:
            _check_hidden(task, add)

        def caught_by(fid: str) -> list[Experiment]:
            """Experiments (visible, then hidden) depending on `fid` that can tell right from
            wrong (the oracle passes them)."""
            both = [*task.experiments_for([fid]), *task.hidden_for([fid])]
            return [e for e in both if e.id in reproduced]

        # 2. masking each function alone fails at least one experiment depending on it
        maskable = task.maskable()
        masks = {
            fn.id: work.submit(_mask_check, sandbox, task, fn, caught_by(fn.id))
            for fn in task.spec.functions
            if fn.id in maskable
        }
        diff_checks, diff = diff_start() if diff_start is not None else ([], None)
        mutant_jobs = _start_mutants(task, sandbox, work, caught_by, diff) if mutants else None
        for fn in task.spec.functions:
            if fn.id not in maskable:
                add(Check(name=f"mask {fn.id}", ok=False, detail="no experiment depends on it"))
                continue
            for check in masks[fn.id].result():
                add(check)

        # 2b. differential tests: every maskable function has samples, the oracle passes them
        for check in diff_checks:
            add(check)

        # 3. every mutant fails at least one experiment that depends on its function
        if mutant_jobs is not None:
            _check_mutants(task, result, add, mutant_jobs, diff)

        # 4. depends_on is exactly the maskable functions each experiment executes
        if trace:
            known = {f.id for f in task.spec.functions}
            listed_for = {e.id: e.depends_on for e in task.spec.experiments}
            listed_for.update(
                {h.id: task.hidden_depends_on(h) for h in task.spec.hidden_experiments}
            )
            for exp in every:
                traced = traces[exp.id].result()
                called, err = traced.called, traced.error
                executed = called & known
                listed = set(listed_for[exp.id])
                ok = err is None and executed == listed
                parts = []
                if err:
                    parts.append(err)
                if executed - listed:
                    parts.append(f"executes but does not list {sorted(executed - listed)}")
                if listed - executed:
                    parts.append(f"lists but does not execute {sorted(listed - executed)}")
                add(
                    Check(
                        name=f"depends_on {exp.id}",
                        ok=ok,
                        detail="; ".join(parts) or "exact",
                        seconds=traced.seconds,
                    )
                )

        # 5. the paper contains no line of a maskable function's body
        paper_dir = scratch / "paper"
        paper_dir.mkdir()
        (paper_dir / task.paper_path.name).write_text(task.paper(), encoding="utf-8")
        originals = {}
        for fn in task.spec.functions:
            with contextlib.suppress(MaskingError):  # reported by the mask check already
                masked = mask_tree(
                    task.code_dir, scratch / f"orig-{len(originals)}", [(fn.id, None)]
                )
                originals.update(masked.originals)
        # 6. paper excerpts (for `--paper excerpts`) are passages of the paper
        paper_text = task.paper()
        outside = [
            f.id
            for f in task.spec.functions
            if f.paper_excerpt and f.paper_excerpt.strip() not in paper_text
        ]
        if any(f.paper_excerpt for f in task.spec.functions):
            add(
                Check(
                    name="paper excerpts are from the paper",
                    ok=not outside,
                    detail=f"not found in the paper: {outside}" if outside else "all found",
                )
            )
        leaks = leak_check(paper_dir, originals)
        add(
            Check(
                name="paper has no code",
                ok=not leaks,
                detail=str(leaks[0]) if leaks else "no body line found in the paper",
            )
        )
        # 7. no description, title or paper is still a TODO placeholder of `autoexp build`
        add(todo_check(task))
    finally:
        work.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def _deterministic(
    task: Task, exp: Experiment, first: ExecResult, second: ExecResult, detail: str
) -> tuple[bool, str]:
    """The oracle check of an experiment whose first run reproduced: its second run prints the
    same output, or, for an experiment that `autoexp build` saw vary between runs of the
    original code (hidden/calibration.json, tolerances calibrated to that spread), its second
    run's metrics are within tolerance too."""
    if first.stdout == second.stdout:
        return True, detail
    if not output_varies(task.hidden_dir, exp.id):
        return False, "not deterministic: two runs printed different output"
    if not grade_experiment(exp, second, None).passed:
        return False, "output varies (as calibrated), and a second run is outside the tolerance"
    return True, f"{detail}; output varies between runs, within the calibrated tolerance"


def todo_check(task: Task) -> Check:
    """Fails while a function or experiment description, the title or the paper is still a
    TODO placeholder left by `autoexp build`."""
    todo = todo_items(task)
    return Check(
        name="no TODO left",
        ok=not todo,
        detail=f"still TODO: {', '.join(todo)}" if todo else "every description is written",
    )


def _timed_run(
    scratch: Path, sandbox: Sandbox, task: Task, exp: Experiment
) -> tuple[ExecResult, float]:
    """One run of `exp` on the original code, and how long it took."""
    t0 = time.monotonic()
    res = run_experiment(sandbox, task, exp, task.code_dir, scratch / "run")
    return res, time.monotonic() - t0


@dataclass(frozen=True)
class _Traced:
    """One run of an experiment on the original code under the tracer (see _trace)."""

    run: ExecResult
    called: set[str]
    """Function ids it executed."""
    error: str | None
    """Why the run failed, else None."""
    seconds: float


def _traced_run(scratch: Path, sandbox: Sandbox, task: Task, exp: Experiment) -> _Traced:
    """`exp` on a fresh copy of the original code with the tracer (as trace_experiment runs
    it, keeping the run's output too)."""
    t0 = time.monotonic()
    tree = scratch / "trace"
    shutil.copytree(task.code_dir, tree, ignore=shutil.ignore_patterns("__pycache__"))
    install_tracer(tree)
    res = sandbox.run(traced_command(exp.command), tree, timeout_s=exp.timeout_s)
    error = None if res.ok else f"exit {res.exit_code}: {res.stderr[-500:]}"
    return _Traced(res, traced_calls(tree), error, time.monotonic() - t0)


def _mask_check(
    scratch: Path, sandbox: Sandbox, task: Task, fn: Function, exps: list[Experiment]
) -> list[Check]:
    """Masking `fn` alone leaks nothing and fails one of `exps`: the leak check (when it
    finds something) and the mask check."""
    t0 = time.monotonic()
    tree = scratch / "masked"
    try:
        masked = mask_tree(task.code_dir, tree, [(fn.id, fn.description)])
    except MaskingError as e:
        return [Check(name=f"mask {fn.id}", ok=False, detail=str(e))]
    checks = []
    leaks = leak_check(tree, masked.originals)
    if leaks:
        checks.append(Check(name=f"leak {fn.id}", ok=False, detail=str(leaks[0])))
    failing, detail = _first_failure(task, tree, exps, sandbox, scratch, "mask")
    checks.append(
        Check(
            name=f"mask {fn.id}",
            ok=failing is not None,
            detail=detail,
            seconds=time.monotonic() - t0,
        )
    )
    return checks


def _check_hidden(task: Task, add: Callable[[Check], None]) -> None:
    """Hidden experiments differ from what they vary, and the paper does not print them."""
    for h in task.spec.hidden_experiments:
        visible = task.experiment(h.of)
        same = [
            name
            for name, m in h.metrics.items()
            if name in visible.metrics and within(m.expected, visible.metrics[name])
        ]
        differs = len(same) < len(h.metrics)
        add(
            Check(
                name=f"hidden {h.id} differs from {h.of}",
                ok=differs,
                detail=(f"same within tolerance: {same}" if same else "every metric differs")
                if differs
                else f"every metric equals {h.of}'s within tolerance: it tests nothing new",
            )
        )
    leaks = paper_leaks(task.paper(), task.spec.hidden_experiments)
    add(
        Check(
            name="paper has no hidden value",
            ok=not leaks,
            detail="; ".join(leaks[:5]) if leaks else "no hidden expected value in the paper",
        )
    )


_Mutant = tuple[MutantRow, str, float] | Check
"""A mutant's kill-table row, what caught it (or why nothing did) and the seconds it took; or
the check saying it is unusable."""


def _start_mutants(
    task: Task,
    sandbox: Sandbox,
    work: _Jobs,
    caught_by: Callable[[str], list[Experiment]],
    diff: tuple[float, set[str]] | None,
) -> list[tuple[Path, Future[_Mutant]]]:
    """Start the check of every mutant file (in name order)."""
    mdir = task.hidden_dir / "mutants"
    files = sorted(mdir.glob("*.py")) if mdir.is_dir() else []
    return [(path, work.submit(_mutant, sandbox, task, path, caught_by, diff)) for path in files]


def _mutant(
    scratch: Path,
    sandbox: Sandbox,
    task: Task,
    path: Path,
    caught_by: Callable[[str], list[Experiment]],
    diff: tuple[float, set[str]] | None,
) -> _Mutant:
    """One mutant (its function's body replaced) run on the experiments that depend on the
    function until one fails; with `diff`, the function's differential test is tried on it."""
    t0 = time.monotonic()
    try:
        fid, bug, body = read_mutant(path)
        fn = task.function(fid)
        tree = scratch / "mutant"
        shutil.copytree(task.code_dir, tree, ignore=shutil.ignore_patterns("__pycache__"))
        target = tree / fn.path
        src = target.read_bytes().decode("utf-8")
        target.write_text(replace_body(src, fn.qualname, body), encoding="utf-8", newline="")
    except (AutoexpError, KeyError) as e:
        return Check(name=f"mutant {path.name}", ok=False, detail=f"unusable mutant: {e}")
    failing, detail = _first_failure(task, tree, caught_by(fid), sandbox, scratch, "mutant")
    row = MutantRow(function=fid, mutant=path.name, bug=bug, killed_by=failing)
    if diff is not None and fid in diff[1]:
        outcomes = run_differential(task, [fid], tree, sandbox, scratch, timeout_s=diff[0])
        if outcomes:
            row.killed_by_diff = outcomes[0].verdict is not DiffVerdict.PASSED
            row.diff_detail = f"{outcomes[0].verdict.value}: {outcomes[0].detail}"[:300]
    return row, detail, time.monotonic() - t0


def _check_mutants(
    task: Task,
    result: TaskValidation,
    add: Callable[[Check], None],
    started: list[tuple[Path, Future[_Mutant]]],
    diff: tuple[float, set[str]] | None = None,
) -> None:
    """Each mutant (one function's body replaced) must fail an experiment; with `diff` (the
    differential timeout and the functions whose samples the original passes), the
    function's differential test alone is tried on it too."""
    covered: set[str] = set()
    for path, future in started:
        got = future.result()
        if isinstance(got, Check):
            add(got)
            continue
        row, detail, seconds = got
        covered.add(row.function)
        result.mutants.append(row)
        note = "" if row.killed_by_diff is None else f"; differential {row.diff_detail}"
        add(
            Check(
                name=f"mutant {path.name}",
                ok=row.killed_by is not None,
                detail=("killed by " + detail if row.killed_by else "SURVIVED: " + detail) + note,
                seconds=seconds,
            )
        )
    if started:
        missing = [f.id for f in task.spec.functions if f.id not in covered]
        add(
            Check(
                name="every function has a mutant",
                ok=not missing,
                detail=f"no mutant for {missing}" if missing else f"{len(started)} mutants",
            )
        )
    if diff is not None and result.mutants:
        killed = sum(m.killed_by_diff is True for m in result.mutants)
        total = len(result.mutants)
        add(
            Check(
                name="differential tests catch mutants",
                ok=True,
                detail=f"{killed}/{total} ({100 * killed / total:.0f}%) caught by the "
                "differential tests alone",
            )
        )


def _start_differential(
    task: Task, sandbox: Sandbox, work: _Jobs
) -> Callable[[], tuple[list[Check], tuple[float, set[str]] | None]]:
    """Start the differential oracle: every maskable function has samples and the original
    code passes all of them, one job per function. The returned function waits for them and
    gives the two checks, and the timeout for differential runs with the functions whose
    samples the original passes (None: the index is unusable)."""
    t0 = time.monotonic()
    try:
        index = load_index(task)
    except TaskError as e:
        failed = [Check(name="differential samples", ok=False, detail=str(e))]
        return lambda: (failed, None)
    assert index is not None
    known = {f.id for f in task.spec.functions}
    stale = sorted(set(index.functions) - known)
    tested = [fid for fid, e in index.functions.items() if e.samples and fid in known]
    missing = [fid for fid in task.maskable() if fid not in tested]
    problems = [f"samples of unknown functions {stale}"] if stale else []
    for fid in missing:
        why = index.functions[fid].skipped[:2] if fid in index.functions else ["not recorded"]
        problems.append(f"no samples for {fid} ({'; '.join(why)})")
    n_samples = sum(len(index.functions[f].samples) for f in tested)
    skipped = [f"{fid}: {s}" for fid, e in index.functions.items() for s in e.skipped]
    detail = "; ".join(problems) or f"{n_samples} samples of {len(tested)} functions"
    if skipped:
        detail += f"; warning: {len(skipped)} note(s) on calls not kept, e.g. {skipped[0]}"
    samples = Check(
        name="differential samples",
        ok=not problems,
        detail=detail[:1000],
        seconds=time.monotonic() - t0,
    )
    t0 = time.monotonic()
    timeout = suggested_timeout(index)

    def one(scratch: Path, fid: str) -> list[FunctionOutcome]:
        return run_differential(task, [fid], task.code_dir, sandbox, scratch, timeout_s=timeout)

    runs = [work.submit(one, fid) for fid in tested]

    def finish() -> tuple[list[Check], tuple[float, set[str]] | None]:
        outcomes: list[FunctionOutcome] = []
        try:
            for run in runs:  # in function order: the first unusable one is reported
                outcomes += run.result()
        except TaskError as e:
            return [samples, Check(name="differential oracle", ok=False, detail=str(e))], None
        bad = [o for o in outcomes if o.verdict is not DiffVerdict.PASSED]
        oracle = Check(
            name="differential oracle",
            ok=not bad,
            detail="; ".join(f"{o.function}: {o.verdict.value} {o.detail}" for o in bad)[:1000]
            or f"the original passes all {n_samples} samples",
            seconds=time.monotonic() - t0,
        )
        return [samples, oracle], (
            timeout,
            {o.function for o in outcomes} - {o.function for o in bad},
        )

    return finish
