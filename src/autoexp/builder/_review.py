"""Validating a built task: `validate_task`, read with the build's calibration, plus a check
that no TODO placeholder is left in the task's text.

An experiment whose output varied between the build's runs of the original code
(hidden/calibration.json) cannot print the same output twice, which `validate_task` requires
of the oracle; its tolerances were calibrated to that spread instead. So here its oracle check
passes when only the identity of the two outputs failed, and the mask and mutant checks that
`validate_task` could not run for want of a reproducing experiment are run on it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from autoexp.builder._describe import todo_items
from autoexp.builder._tolerance import output_varies
from autoexp.builder._validate import (
    Check,
    TaskValidation,
    _first_failure,
    read_mutant,
    validate_task,
)
from autoexp.errors import AutoexpError
from autoexp.masking import mask_tree, replace_body
from autoexp.protocols import Sandbox
from autoexp.tasks._model import Experiment, Task

_NOT_DETERMINISTIC = "not deterministic"
_NO_ORACLE = "no dependent experiment that the oracle reproduces"


def todo_check(task: Task) -> Check:
    """Fails while a function or experiment description, the title or the paper is still a
    TODO placeholder left by `autoexp build`."""
    todo = todo_items(task)
    return Check(
        name="no TODO left",
        ok=not todo,
        detail=f"still TODO: {', '.join(todo)}" if todo else "every description is written",
    )


def _calibrated(task: Task, check: Check) -> Check:
    """The oracle check of a noisy-by-calibration experiment, passing when only the identity
    of its two outputs failed (its metrics were within the calibrated tolerance)."""
    if check.ok or not check.name.startswith("oracle ") or _NOT_DETERMINISTIC not in check.detail:
        return check
    if not output_varies(task.hidden_dir, check.name.removeprefix("oracle ")):
        return check
    return check.model_copy(
        update={
            "ok": True,
            "detail": "output varies between runs, as calibrated (hidden/calibration.json); "
            "its metrics are within the calibrated tolerance",
        }
    )


def _rerun(
    task: Task, check: Check, noisy: set[str], sandbox: Sandbox, scratch: Path
) -> tuple[Check, str | None]:
    """A mask or mutant check that found no reproducing experiment, run on the noisy ones
    that reproduce; also the experiment that failed (None: none did)."""
    kind, name = check.name.split(" ", 1)
    tree = scratch / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    try:
        if kind == "mask":
            fid = name
            mask_tree(task.code_dir, tree, [(fid, task.function(fid).description)])
        else:
            fid, _, body = read_mutant(task.hidden_dir / "mutants" / name)
            fn = task.function(fid)
            shutil.copytree(task.code_dir, tree, ignore=shutil.ignore_patterns("__pycache__"))
            src = (tree / fn.path).read_bytes().decode("utf-8")
            text = replace_body(src, fn.qualname, body)
            (tree / fn.path).write_text(text, encoding="utf-8", newline="")
    except (AutoexpError, KeyError):
        return check, None
    both: list[Experiment] = [*task.experiments_for([fid]), *task.hidden_for([fid])]
    exps = [e for e in both if e.id in noisy]
    failing, detail = _first_failure(task, tree, exps, sandbox, scratch, kind)
    if kind == "mutant":
        detail = ("killed by " if failing else "SURVIVED: ") + detail
    return check.model_copy(update={"ok": failing is not None, "detail": detail}), failing


def validate_built(
    task: Task,
    sandbox: Sandbox,
    *,
    on_check: Callable[[Check], None] | None = None,
    trace: bool = True,
    mutants: bool = True,
) -> TaskValidation:
    """Every check of `validate_task`, read with the task's calibration (see the module), plus
    `no TODO left`. `on_check` may be called from several threads."""

    def forward(check: Check) -> None:
        read = _calibrated(task, check)
        if on_check and (read.ok or _NO_ORACLE not in read.detail):
            on_check(read)  # the others are given below, once run on the noisy experiments

    result = validate_task(task, sandbox, on_check=forward, trace=trace, mutants=mutants)
    checks = [_calibrated(task, c) for c in result.checks]
    noisy = {
        c.name.removeprefix("oracle ")
        for c, orig in zip(checks, result.checks, strict=True)
        if c is not orig
    }
    rows = {m.mutant: m for m in result.mutants}
    scratch = Path(tempfile.mkdtemp(prefix=f"autoexp-review-{task.id}-"))
    scratch.chmod(0o755)
    try:
        for i, c in enumerate(checks):
            if c.ok or _NO_ORACLE not in c.detail:
                continue
            if noisy:
                checks[i], failing = _rerun(task, c, noisy, sandbox, scratch)
                if c.name.startswith("mutant ") and c.name[7:] in rows:
                    rows[c.name[7:]].killed_by = failing
            if on_check:
                on_check(checks[i])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    todo = todo_check(task)
    if on_check:
        on_check(todo)
    checks.append(todo)
    return result.model_copy(update={"checks": checks, "ok": all(c.ok for c in checks)})
