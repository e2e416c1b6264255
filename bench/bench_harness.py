"""Harness overhead: the oracle on the built-in suite (n = 1, every function once, 1 worker,
as `autoexp run --agent oracle --n 1 --combos-per-n 0 --workers 1`) against the same
experiment commands run bare, side by side in one run.

For every attempt, the bare runs are what the attempt cannot do without: the agent's run of
each visible experiment and the grader's run of each visible and hidden experiment, each a
plain `bash -c COMMAND` in a copy of the original code with the sandbox's clean environment.
Everything else the harness does (workspace copies, masking, leak check, sandbox start-up,
the differential test, the diff, the records) is overhead. Each attempt (`run_attempt`, what
a worker runs) is paired with its own bare runs, the order alternating, so a change of machine
load hits both sides alike; what a run adds once (planning, the process pool, the store) is
measured on a one-attempt run and added once.

Not a test. Run: `python bench/bench_harness.py [--tasks kmeans-pp,hmm] [--quick]`. Prints one
line per task and a final JSON line with the figures and the target (ratio <= 1.10).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from autoexp import AgentSpec, AttemptSpec, RunConfig, run
from autoexp.runner._attempt import run_attempt
from autoexp.runner._gpus import gpu_skip_reason
from autoexp.sandbox._env import sandbox_env
from autoexp.tasks import Task, builtin_tasks

TARGET_RATIO = 1.10


def bare_seconds(task: Task, fid: str, code: Path) -> tuple[float, int]:
    """Seconds of the bare runs the n = 1 attempt on `fid` needs (in `code`, a copy of the
    original code), and how many there are."""
    combo = (fid,)
    visible = [e.command for e in task.experiments_for(combo)]
    commands = visible * 2 + [h.command for h in task.hidden_for(combo)]
    env = sandbox_env(str(code))
    t0 = time.perf_counter()
    for command in commands:
        if task.spec.setup:
            subprocess.run(["bash", "-c", task.spec.setup], cwd=code, env=env, capture_output=True)
        subprocess.run(["bash", "-c", command], cwd=code, env=env, capture_output=True)
    return time.perf_counter() - t0, len(commands)


def oracle_spec(task: Task, fid: str) -> AttemptSpec:
    return AttemptSpec(
        task_id=task.id,
        task_root=str(task.root),
        agent=AgentSpec(name="oracle"),
        combo=(fid,),
        trial=0,
    )


def attempt_seconds(task: Task, fid: str, run_dir: Path) -> tuple[float, bool]:
    """Seconds of the oracle's attempt on `fid` as a worker runs it, and whether it passed."""
    t0 = time.perf_counter()
    record = run_attempt(oracle_spec(task, fid), run_dir, backend="bwrap")
    return time.perf_counter() - t0, record.status.value == "passed"


def run_fixed_seconds(task: Task, scratch: Path) -> float:
    """What a run adds once, beyond its attempts: a one-attempt `autoexp run` (planning, the
    process pool, the store, run.json) minus that attempt's own time."""
    config = RunConfig(
        tasks=[str(task.root)],
        agents=[AgentSpec(name="oracle")],
        ns=[1],
        combos_per_n=1,
        workers=1,
        backend="bwrap",
    )
    quiet = Console(file=open(os.devnull, "w"), stderr=False)  # noqa: SIM115
    t0 = time.perf_counter()
    result = run(config, scratch / "one-attempt-run", console=quiet, progress=False)
    took = time.perf_counter() - t0
    return max(0.0, took - sum(r.wall_s or 0.0 for r in result.executed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="", help="Comma-separated task ids (default: all).")
    parser.add_argument("--quick", action="store_true", help="One attempt of one small task.")
    args = parser.parse_args()
    wanted = {t for t in args.tasks.split(",") if t}
    if args.quick:
        wanted = {"spectral-clustering"}
    tasks = [t for t in builtin_tasks() if not wanted or t.id in wanted]
    tasks = [t for t in tasks if not gpu_skip_reason(t.spec.needs.gpus)]  # GPUs it lacks
    scratch = Path(tempfile.mkdtemp(prefix="autoexp-bench-harness-"))
    scratch.chmod(0o755)
    run_dir = scratch / "run"
    bare_total = harness_total = 0.0
    attempts = passed = commands = 0
    pair = 0
    try:
        for task in tasks:
            code = scratch / f"bare-{task.id}"
            shutil.copytree(task.code_dir, code, ignore=shutil.ignore_patterns("__pycache__"))
            fids = task.maskable()[:1] if args.quick else task.maskable()
            bare = took = 0.0
            ok = n_cmd = 0
            for fid in fids:
                pair += 1
                if pair % 2:
                    b, n = bare_seconds(task, fid, code)
                    h, good = attempt_seconds(task, fid, run_dir)
                else:
                    h, good = attempt_seconds(task, fid, run_dir)
                    b, n = bare_seconds(task, fid, code)
                bare, took, ok, n_cmd = bare + b, took + h, ok + good, n_cmd + n
            shutil.rmtree(code, ignore_errors=True)
            bare_total += bare
            harness_total += took
            attempts += len(fids)
            passed += ok
            commands += n_cmd
            print(
                f"{task.id:22s} {len(fids):2d} attempts ({ok} passed), {n_cmd:3d} bare runs: "
                f"bare {bare:7.2f} s  harness {took:7.2f} s  x{took / bare:.3f}  "
                f"+{(took - bare) / len(fids):.3f} s/attempt",
                flush=True,
            )
        fixed = run_fixed_seconds(tasks[0], scratch)
        harness_total += fixed
        print(f"a run's fixed cost (pool, store, plan): {fixed:.2f} s, counted once")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ratio = harness_total / bare_total
    print(
        json.dumps(
            {
                "bench": "harness",
                "tasks": len(tasks),
                "attempts": attempts,
                "passed": passed,
                "bare_runs": commands,
                "bare_s": round(bare_total, 2),
                "harness_s": round(harness_total, 2),
                "ratio": round(ratio, 3),
                "overhead_per_attempt_s": round((harness_total - bare_total) / attempts, 3),
                "run_fixed_s": round(fixed, 2),
                "target": {"ratio_max": TARGET_RATIO},
                "met": ratio <= TARGET_RATIO,
            }
        )
    )
    sys.exit(0 if passed == attempts else 1)


if __name__ == "__main__":
    main()
