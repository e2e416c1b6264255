"""Build every built-in task from its bare code and commands (task.yaml removed) and check
what `autoexp build` recovers: the same depends_on (on the built-in's functions), a superset
of its functions, tolerances that pass validation (the built-in's mutants copied in; every
check of `autoexp tasks validate`), a hidden experiment where the commands expose a seed and
differential samples for every maskable function.

Not run by CI (minutes per task): `python bench/bench_build_builtin.py [TASK ...] [--repeats R]
[--no-validate]`. Prints one line per task and exits 1 if any task misses a point. The normal
test suite checks the same on one small task (tests/builder/test_build_builtin.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autoexp.builder import build_task, compare_with_builtin
from autoexp.runner._gpus import gpu_skip_reason
from autoexp.sandbox import make_sandbox
from autoexp.tasks import builtin_tasks

EXPECTED = {
    "every function has a mutant": "the built-in's mutants cover its own functions, not the "
    "extra ones the builder proposes",
    "no TODO left": "bare code has no experiment descriptions (and some functions no docstring)",
}
"""Checks that fail on every bare build, and why: not counted."""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tasks", nargs="*", help="built-in task ids (default: all)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-validate", action="store_true", help="skip `tasks validate`")
    ap.add_argument("--keep", type=Path, help="write the built tasks under this directory")
    args = ap.parse_args()
    sandbox = make_sandbox()
    tasks = [t for t in builtin_tasks() if not args.tasks or t.id in args.tasks]
    tasks = [t for t in tasks if not gpu_skip_reason(t.spec.needs.gpus)]  # GPUs it lacks
    bad = 0
    for t in tasks:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-build-{t.id}-"))
        try:
            src = tmp / t.id
            shutil.copytree(t.code_dir, src, ignore=shutil.ignore_patterns("__pycache__"))
            t0 = time.monotonic()
            res = build_task(
                src,
                [e.command for e in t.spec.experiments],
                sandbox,
                out=(args.keep / t.id) if args.keep else tmp / "built",
                paper=t.paper_path,
                mutants=t.hidden_dir / "mutants",
                repeats=args.repeats,
                validate=not args.no_validate,
            )
            seconds = time.monotonic() - t0
            problems = compare_with_builtin(t, Path(res.path))
            if res.validation is not None:
                problems += [
                    f"check {c.name}: {c.detail}"
                    for c in res.validation.checks
                    if not c.ok and c.name not in EXPECTED
                ]
            n_fn = sum(c.chosen for c in res.candidates)
            n_hidden = sum(h.kept for h in res.hidden)
            status = "ok  " if not problems else "FAIL"
            print(
                f"{status} {t.id}: {n_fn} functions (built-in {len(t.spec.functions)}), "
                f"{n_hidden} hidden, {seconds:.0f}s",
                flush=True,
            )
            for p in problems:
                print(f"     {p}", flush=True)
            bad += bool(problems)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(tasks) - bad}/{len(tasks)} built-in tasks recovered")
    print("not counted: " + "; ".join(f"{k!r} ({v})" for k, v in EXPECTED.items()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
