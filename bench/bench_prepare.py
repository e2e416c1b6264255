"""Workspace preparation on a large repository: copy + mask + leak check (what
`prepare_workspace` does before an agent starts) against `cp -r` of the same code, side by
side in one run, on a generated task of 2,000 Python files and 20 MB.

Also timed, per attempt on the same repository: the grader's file work after the agent
(workspace diff, merge into the grading copy, one experiment's fresh copy, handing it to the
sandbox user and removing it), so the absolute cost of a large repository per attempt shows.

Not a test. Run: `python bench/bench_prepare.py [--files 2000] [--mb 20] [--reps 5]`
(`--quick`: 200 files, 2 MB, 2 reps). Prints a line per figure and a final JSON line with
the figures and the target (ratio <= 2.0).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from large_repo import MASKED, make_task

from autoexp.masking import merge_for_grading
from autoexp.runner._attempt import workspace_diff
from autoexp.runner._prepare import prepare_workspace
from autoexp.sandbox._bwrap import give_to_sandbox_user
from autoexp.tasks import load_task

TARGET_RATIO = 2.0


def timed(fn: Callable[[Path], None], out: Path) -> float:
    """Seconds of `fn(out)`; `out` is removed and the disk synced afterwards (not timed), so
    one side's writes are never flushed on the other side's clock."""
    os.sync()
    t0 = time.perf_counter()
    fn(out)
    took = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    os.sync()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="200 files, 2 MB, 2 reps")
    args = parser.parse_args()
    if args.quick:
        args.files, args.mb, args.reps = 200, 2.0, 2
    base = Path(tempfile.mkdtemp(prefix="autoexp-bench-prepare-"))
    try:
        task = load_task(make_task(base / "task", args.files, args.mb))
        size = sum(p.stat().st_size for p in task.code_dir.rglob("*") if p.is_file())
        combo = tuple(f.id for f in task.spec.functions)

        def cp(out: Path) -> None:
            subprocess.run(["cp", "-r", str(task.code_dir), str(out)], check=True)

        def prepare(out: Path) -> None:
            out.mkdir()
            prepare_workspace(task, combo, out)

        prep_dir = base / "prepared"
        prep_dir.mkdir()
        prepared = prepare_workspace(task, combo, prep_dir)

        def grading_files(out: Path) -> None:
            workspace_diff(prepared)
            graded = out / "graded"
            merge_for_grading(task.code_dir, prepared.workspace, list(combo), graded)
            run_copy = out / "run"
            shutil.copytree(graded, run_copy, ignore=shutil.ignore_patterns("__pycache__"))
            if os.geteuid() == 0:
                give_to_sandbox_user(run_copy)
            shutil.rmtree(run_copy)

        timed(cp, base / "warm-cp")  # warm the page cache and the imports
        timed(prepare, base / "warm-prepare")
        times: dict[str, list[float]] = {"cp": [], "prepare": [], "grading": []}
        for rep in range(args.reps):  # interleaved, so a change of load hits both alike
            order = [("cp", cp), ("prepare", prepare)]
            for name, fn in order if rep % 2 == 0 else order[::-1]:
                times[name].append(timed(fn, base / f"{name}-{rep}"))
            times["grading"].append(
                timed(lambda out: (out.mkdir(), grading_files(out)), base / f"g-{rep}")
            )
        cp_s = statistics.median(times["cp"])
        prepare_s = statistics.median(times["prepare"])
        grading_s = statistics.median(times["grading"])
    finally:
        shutil.rmtree(base, ignore_errors=True)
    ratio = prepare_s / cp_s
    print(f"repository: {args.files} files, {size / 1e6:.1f} MB, {MASKED} functions masked")
    print(f"cp -r:               {cp_s:7.3f} s")
    print(f"prepare_workspace(): {prepare_s:7.3f} s  (x{ratio:.2f} cp -r)")
    print(f"grader's file work:  {grading_s:7.3f} s  (diff, merge, one experiment copy)")
    print(
        json.dumps(
            {
                "bench": "prepare",
                "files": args.files,
                "megabytes": round(size / 1e6, 1),
                "cp_s": round(cp_s, 3),
                "prepare_s": round(prepare_s, 3),
                "ratio": round(ratio, 2),
                "grading_files_s": round(grading_s, 3),
                "per_attempt_s": round(prepare_s + grading_s, 3),
                "target": {"ratio_max": TARGET_RATIO},
                "met": ratio <= TARGET_RATIO,
            }
        )
    )


if __name__ == "__main__":
    main()
