"""Building a built-in task from its bare code and commands (task.yaml removed) recovers it:
the same depends_on on its functions, a superset of its functions, the same numbers with
tolerances no looser than its own (so every mutant its validation catches is caught, and the
original reproduces them), and a hidden experiment turning a seed.

One small task here (spectral-clustering: about 5 s); every task, with the full validation
(the built-in's mutants copied in), is `python bench/bench_build_builtin.py` (minutes; not
run by CI).
"""

from __future__ import annotations

import shutil

from autoexp.builder import build_task, compare_with_builtin
from autoexp.sandbox import make_sandbox
from autoexp.tasks import resolve_tasks


def test_a_builtin_task_is_recovered_from_its_bare_code(tmp_path):
    (ref,) = resolve_tasks(["spectral-clustering"])
    src = tmp_path / "bare"
    shutil.copytree(ref.code_dir, src, ignore=shutil.ignore_patterns("__pycache__"))
    res = build_task(
        src,
        [e.command for e in ref.spec.experiments],
        make_sandbox(),
        out=tmp_path / "built",
        paper=ref.paper_path,
        repeats=1,  # deterministic code: the tolerances do not depend on it
        samples=False,
        validate=False,
    )
    assert compare_with_builtin(ref, tmp_path / "built", tighter=True) == []
    assert sum(h.kept for h in res.hidden) >= len(ref.spec.experiments)
