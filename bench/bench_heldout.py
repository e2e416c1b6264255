"""Cost of held-out grading: per built-in task, the grader's time on the original code for each
part of an n = 1 attempt (its visible experiments, its hidden experiments, the differential
test of the masked function, the integrity scan), measured side by side in one run.

Not a test. Run: `python bench/bench_heldout.py [--tasks kmeans-pp,hmm]`. Prints one line per
task and a final JSON line with the totals and the ratio (all defences) / (visible only).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from autoexp.difftest import load_index, run_differential, suggested_timeout
from autoexp.grading import check_body
from autoexp.protocols import Sandbox
from autoexp.runner._attempt import run_experiment
from autoexp.runner._gpus import gpu_skip_reason
from autoexp.sandbox import make_sandbox
from autoexp.tasks import Task, builtin_tasks


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _measure(task: Task, sandbox: Sandbox, scratch: Path) -> tuple[str, dict[str, float]]:
    """Seconds of each part of grading an n = 1 attempt on its first maskable function."""
    fid = task.maskable()[0]  # the combo of n = 1 with the first maskable function
    combo = (fid,)
    fn = task.function(fid)
    index = load_index(task)
    parts = {
        "visible": lambda: [
            run_experiment(sandbox, task, e, task.code_dir, scratch / f"v-{e.id}")
            for e in task.experiments_for(combo)
        ],
        "hidden": lambda: [
            run_experiment(sandbox, task, h, task.code_dir, scratch / f"h-{h.id}")
            for h in task.hidden_for(combo)
        ],
        "differential": lambda: run_differential(
            task,
            combo,
            task.code_dir,
            sandbox,
            scratch,
            timeout_s=suggested_timeout(index, list(combo)) if index else 60,
        ),
        "integrity": lambda: check_body(
            (task.code_dir / fn.path).read_text(encoding="utf-8"), fn.qualname, fid
        ),
    }
    return fid, {name: _timed(part) for name, part in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", default="", help="Comma-separated task ids (default: all).")
    args = parser.parse_args()
    wanted = {t for t in args.tasks.split(",") if t}
    sandbox = make_sandbox()
    scratch = Path(tempfile.mkdtemp(prefix="autoexp-bench-heldout-"))
    scratch.chmod(0o755)
    totals = {"visible": 0.0, "hidden": 0.0, "differential": 0.0, "integrity": 0.0}
    try:
        for task in builtin_tasks():
            if (wanted and task.id not in wanted) or gpu_skip_reason(task.spec.needs.gpus):
                continue  # not asked for, or needs GPUs this machine lacks
            fid, took = _measure(task, sandbox, scratch)
            for name, s in took.items():
                totals[name] += s
            print(
                f"{task.id:22s} {fid:40s} "
                + " ".join(f"{name}={s:6.2f}s" for name, s in took.items()),
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ratio = sum(totals.values()) / totals["visible"] if totals["visible"] else None
    print(
        json.dumps(
            {
                "bench": "heldout",
                "seconds": {k: round(v, 2) for k, v in totals.items()},
                "grading_ratio_all_defences_vs_visible_only": round(ratio, 2) if ratio else None,
            }
        )
    )


if __name__ == "__main__":
    main()
