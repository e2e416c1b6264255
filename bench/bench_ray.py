"""The Ray executor against the process pool: the same plan run by a pool of 2 workers and by
a local Ray instance of 2 CPUs, side by side in one run.

Plan: the oracle on the built-in suite, n = 1, every function once (as `autoexp run --agent
oracle --n 1 --combos-per-n 0`), or on the tasks given. The pool runs first: it forks its
workers, which a process that has started Ray should not do. Ray's own start-up (a few
seconds) is timed apart and not counted in its run; a cluster is started once and serves many
runs.

Not a test. Run: `python bench/bench_ray.py [--tasks a,b]` (`--quick`: two small tasks).
Prints a line per run and a final JSON line with both wall times, the ratio Ray / pool and
its target (<= 1.2).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from rich.console import Console

from autoexp import AgentSpec, RunConfig, run
from autoexp.runner._plan import ExecutorKind
from autoexp.tasks import builtin_tasks

TARGET_RATIO = 1.2
CPUS = 2


def plan(tasks: list[str], executor: ExecutorKind) -> RunConfig:
    return RunConfig(
        tasks=tasks,
        agents=[AgentSpec(name="oracle")],
        ns=[1],
        combos_per_n=None,
        workers=CPUS,
        executor=executor,
        backend="bwrap",
    )


def timed_run(config: RunConfig, run_dir: Path) -> tuple[float, dict[str, str]]:
    """Wall seconds of the run and each attempt's status."""
    quiet = Console(file=open(os.devnull, "w"), stderr=False)  # noqa: SIM115
    t0 = time.perf_counter()
    result = run(config, run_dir, console=quiet, progress=False)
    took = time.perf_counter() - t0
    return took, {r.attempt_id: r.status.value for r in result.executed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="", help="Comma-separated task ids (default: all).")
    parser.add_argument("--quick", action="store_true", help="two small tasks")
    args = parser.parse_args()
    if args.quick:
        args.tasks = "naive-bayes,kmeans-pp"
    wanted = {t for t in args.tasks.split(",") if t}
    tasks = [str(t.root) for t in builtin_tasks() if not wanted or t.id in wanted]
    scratch = Path(tempfile.mkdtemp(prefix="autoexp-bench-ray-"))
    try:
        pool_s, pool = timed_run(plan(tasks, ExecutorKind.LOCAL), scratch / "pool")
        print(f"pool: {len(pool)} attempts in {pool_s:.1f} s", flush=True)
        import ray

        t0 = time.perf_counter()
        ray.init(num_cpus=CPUS, include_dashboard=False, logging_level="error")
        start_s = time.perf_counter() - t0
        ray_s, on_ray = timed_run(plan(tasks, ExecutorKind.RAY), scratch / "ray")
        print(f"ray:  {len(on_ray)} attempts in {ray_s:.1f} s (+{start_s:.1f} s to start Ray)")
        ray.shutdown()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ratio = ray_s / pool_s
    print(
        json.dumps(
            {
                "bench": "ray",
                "tasks": len(tasks),
                "attempts": len(pool),
                "same_statuses": pool == on_ray,
                "passed": sum(s == "passed" for s in on_ray.values()),
                "cpus": CPUS,
                "pool_s": round(pool_s, 2),
                "ray_s": round(ray_s, 2),
                "ray_start_s": round(start_s, 2),
                "ratio": round(ratio, 3),
                "target": {"ratio_max": TARGET_RATIO},
                "met": ratio <= TARGET_RATIO and pool == on_ray,
            }
        )
    )


if __name__ == "__main__":
    main()
