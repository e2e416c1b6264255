"""Validating a task: the oracle reproduces, masking and mutants are caught, dependencies are
right, the paper leaks no code."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from autoexp.builder._trace import trace_experiment
from autoexp.difftest import has_samples, load_index, run_differential, suggested_timeout
from autoexp.errors import AutoexpError, MaskingError, TaskError
from autoexp.grading import DiffVerdict, grade_experiment, within
from autoexp.masking import body_of_def, leak_check, mask_tree, replace_body
from autoexp.protocols import Sandbox
from autoexp.runner._attempt import run_experiment
from autoexp.tasks._model import Experiment, HiddenExperiment, Task

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


def _first_failure(
    task: Task, tree: Path, exps: list[Experiment], sandbox: Sandbox, scratch: Path, tag: str
) -> tuple[str | None, str]:
    """Run `exps` on `tree` until one fails; return (failing experiment id, detail)."""
    if not exps:
        return None, "no dependent experiment that the oracle reproduces"
    for exp in exps:
        res = run_experiment(sandbox, task, exp, tree, scratch / f"{tag}-{exp.id}")
        outcome = grade_experiment(exp, res, None)
        if not outcome.passed:
            return exp.id, f"{exp.id}: {outcome.reason.value}"
    return None, "every dependent experiment still passes"


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
) -> TaskValidation:
    """Run every check on `task`; `on_check` is called as each one finishes."""
    result = TaskValidation(task=task.id, path=str(task.root), ok=True)

    def add(check: Check) -> None:
        result.checks.append(check)
        result.ok = result.ok and check.ok
        if on_check:
            on_check(check)

    scratch = Path(tempfile.mkdtemp(prefix=f"autoexp-validate-{task.id}-"))
    scratch.chmod(0o755)
    try:
        # 1. the oracle reproduces every experiment (visible and hidden), twice, identically
        reproduced: set[str] = set()
        for exp in [*task.spec.experiments, *task.spec.hidden_experiments]:
            t0 = time.monotonic()
            first = run_experiment(sandbox, task, exp, task.code_dir, scratch / f"o1-{exp.id}")
            result.oracle_seconds[exp.id] = round(time.monotonic() - t0, 3)
            second = run_experiment(sandbox, task, exp, task.code_dir, scratch / f"o2-{exp.id}")
            outcome = grade_experiment(exp, first, None)
            detail = f"{result.oracle_seconds[exp.id]:.2f}s"
            ok = outcome.passed
            if not ok:
                bad = {
                    k: (m.verified, m.expected)
                    for k, m in outcome.metrics.items()
                    if not m.verified_ok
                }
                detail = f"{outcome.reason.value} {bad} {outcome.stderr_tail[-300:]}"
            elif first.stdout != second.stdout:
                ok, detail = False, "not deterministic: two runs printed different output"
            add(Check(name=f"oracle {exp.id}", ok=ok, detail=detail, seconds=time.monotonic() - t0))
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
        for fn in task.spec.functions:
            t0 = time.monotonic()
            if fn.id not in maskable:
                add(Check(name=f"mask {fn.id}", ok=False, detail="no experiment depends on it"))
                continue
            tree = scratch / "masked"
            shutil.rmtree(tree, ignore_errors=True)
            try:
                masked = mask_tree(task.code_dir, tree, [(fn.id, fn.description)])
            except MaskingError as e:
                add(Check(name=f"mask {fn.id}", ok=False, detail=str(e)))
                continue
            leaks = leak_check(tree, masked.originals)
            if leaks:
                add(Check(name=f"leak {fn.id}", ok=False, detail=str(leaks[0])))
            failing, detail = _first_failure(task, tree, caught_by(fn.id), sandbox, scratch, "mask")
            add(
                Check(
                    name=f"mask {fn.id}",
                    ok=failing is not None,
                    detail=detail,
                    seconds=time.monotonic() - t0,
                )
            )

        # 2b. differential tests: every maskable function has samples, the oracle passes them
        diff = _check_differential(task, sandbox, scratch, add) if has_samples(task) else None

        # 3. every mutant fails at least one experiment that depends on its function
        if mutants:
            _check_mutants(task, sandbox, scratch, result, add, caught_by, diff)

        # 4. depends_on is exactly the maskable functions each experiment executes
        if trace:
            known = {f.id for f in task.spec.functions}
            listed_for = {e.id: e.depends_on for e in task.spec.experiments}
            listed_for.update(
                {h.id: task.hidden_depends_on(h) for h in task.spec.hidden_experiments}
            )
            for exp in [*task.spec.experiments, *task.spec.hidden_experiments]:
                t0 = time.monotonic()
                tree = scratch / f"trace-{exp.id}"
                shutil.copytree(task.code_dir, tree, ignore=shutil.ignore_patterns("__pycache__"))
                called, err = trace_experiment(exp.command, tree, sandbox, exp.timeout_s)
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
                        seconds=time.monotonic() - t0,
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
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


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


def _check_mutants(
    task: Task,
    sandbox: Sandbox,
    scratch: Path,
    result: TaskValidation,
    add: Callable[[Check], None],
    caught_by: Callable[[str], list[Experiment]],
    diff: tuple[float, set[str]] | None = None,
) -> None:
    """Each mutant (one function's body replaced) must fail an experiment; with `diff` (the
    differential timeout and the functions whose samples the original passes), the
    function's differential test alone is tried on it too."""
    mdir = task.hidden_dir / "mutants"
    files = sorted(mdir.glob("*.py")) if mdir.is_dir() else []
    covered: set[str] = set()
    for path in files:
        t0 = time.monotonic()
        try:
            fid, bug, body = read_mutant(path)
            fn = task.function(fid)
            tree = scratch / "mutant"
            shutil.rmtree(tree, ignore_errors=True)
            shutil.copytree(task.code_dir, tree, ignore=shutil.ignore_patterns("__pycache__"))
            target = tree / fn.path
            src = target.read_bytes().decode("utf-8")
            target.write_text(replace_body(src, fn.qualname, body), encoding="utf-8", newline="")
        except (AutoexpError, KeyError) as e:
            add(Check(name=f"mutant {path.name}", ok=False, detail=f"unusable mutant: {e}"))
            continue
        covered.add(fid)
        failing, detail = _first_failure(task, tree, caught_by(fid), sandbox, scratch, "mutant")
        row = MutantRow(function=fid, mutant=path.name, bug=bug, killed_by=failing)
        if diff is not None and fid in diff[1]:
            outcomes = run_differential(task, [fid], tree, sandbox, scratch, timeout_s=diff[0])
            if outcomes:
                row.killed_by_diff = outcomes[0].verdict is not DiffVerdict.PASSED
                row.diff_detail = f"{outcomes[0].verdict.value}: {outcomes[0].detail}"[:300]
        result.mutants.append(row)
        note = "" if row.killed_by_diff is None else f"; differential {row.diff_detail}"
        add(
            Check(
                name=f"mutant {path.name}",
                ok=failing is not None,
                detail=("killed by " + detail if failing else "SURVIVED: " + detail) + note,
                seconds=time.monotonic() - t0,
            )
        )
    if files:
        missing = [f.id for f in task.spec.functions if f.id not in covered]
        add(
            Check(
                name="every function has a mutant",
                ok=not missing,
                detail=f"no mutant for {missing}" if missing else f"{len(files)} mutants",
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


def _check_differential(
    task: Task, sandbox: Sandbox, scratch: Path, add: Callable[[Check], None]
) -> tuple[float, set[str]] | None:
    """Every maskable function has samples and the original code passes all of them; returns
    the timeout for differential runs and the functions whose samples the original passes
    (None: the index is unusable)."""
    t0 = time.monotonic()
    try:
        index = load_index(task)
    except TaskError as e:
        add(Check(name="differential samples", ok=False, detail=str(e)))
        return None
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
    add(
        Check(
            name="differential samples",
            ok=not problems,
            detail=detail[:1000],
            seconds=time.monotonic() - t0,
        )
    )
    t0 = time.monotonic()
    timeout = suggested_timeout(index)
    try:
        outcomes = run_differential(
            task, tested, task.code_dir, sandbox, scratch, timeout_s=timeout
        )
    except TaskError as e:
        add(Check(name="differential oracle", ok=False, detail=str(e)))
        return None
    bad = [o for o in outcomes if o.verdict is not DiffVerdict.PASSED]
    add(
        Check(
            name="differential oracle",
            ok=not bad,
            detail="; ".join(f"{o.function}: {o.verdict.value} {o.detail}" for o in bad)[:1000]
            or f"the original passes all {n_samples} samples",
            seconds=time.monotonic() - t0,
        )
    )
    return timeout, {o.function for o in outcomes} - {o.function for o in bad}
