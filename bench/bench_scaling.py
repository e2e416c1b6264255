"""Parallel scaling: the same plan run with 1 and with 2 workers (a process pool on this
machine), side by side in one run.

Plans: `oracle` (the default: the oracle on the built-in suite, n = 1, every function once,
as `autoexp run --agent oracle --n 1 --combos-per-n 0`) or `selftest` (the default
`autoexp run`: oracle and noop, one combo per task). Each round runs both worker counts, the
order alternating between rounds, so a change of machine load hits both alike.

Not a test. Run: `python bench/bench_scaling.py [--plan oracle|selftest] [--tasks a,b]
[--rounds 1]` (`--quick`: the self-test plan on two small tasks). Prints a line per run and a
final JSON line with the figures and the target (speed-up >= 1.7 on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console

from autoexp import AgentSpec, RunConfig, run
from autoexp.tasks import builtin_tasks

TARGET_SPEEDUP = 1.7


def plan(name: str, tasks: list[str], workers: int) -> RunConfig:
    if name == "selftest":
        return RunConfig(tasks=tasks, workers=workers, backend="bwrap")
    return RunConfig(
        tasks=tasks,
        agents=[AgentSpec(name="oracle")],
        ns=[1],
        combos_per_n=None,
        workers=workers,
        backend="bwrap",
    )


def timed_run(config: RunConfig, run_dir: Path) -> tuple[float, int, int]:
    """Wall seconds of the run, its attempts, and how many ended as their agent should
    (oracle passed, noop failed)."""
    quiet = Console(file=open(os.devnull, "w"), stderr=False)  # noqa: SIM115
    t0 = time.perf_counter()
    result = run(config, run_dir, console=quiet, progress=False)
    took = time.perf_counter() - t0
    expected = {"oracle": "passed", "noop": "failed"}
    right = sum(r.status.value == expected.get(r.spec.agent.name) for r in result.executed)
    return took, len(result.executed), right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", choices=["oracle", "selftest"], default="oracle")
    parser.add_argument("--tasks", default="", help="Comma-separated task ids (default: all).")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="selftest on two small tasks")
    args = parser.parse_args()
    if args.quick:
        args.plan, args.tasks = "selftest", "kmeans-pp,spectral-clustering"
    wanted = {t for t in args.tasks.split(",") if t}
    tasks = [str(t.root) for t in builtin_tasks() if not wanted or t.id in wanted]
    scratch = Path(tempfile.mkdtemp(prefix="autoexp-bench-scaling-"))
    seconds: dict[int, list[float]] = {1: [], 2: []}
    attempts = right = 0
    try:
        for r in range(args.rounds):
            for workers in (1, 2) if r % 2 == 0 else (2, 1):
                took, n, ok = timed_run(plan(args.plan, tasks, workers), scratch / f"{r}-{workers}")
                seconds[workers].append(took)
                attempts, right = n, ok
                print(
                    f"round {r}: {workers} worker(s): {n} attempts ({ok} as expected) in {took:.1f} s",
                    flush=True,
                )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    one, two = statistics.median(seconds[1]), statistics.median(seconds[2])
    speedup = one / two
    print(
        json.dumps(
            {
                "bench": "scaling",
                "plan": args.plan,
                "tasks": len(tasks),
                "attempts": attempts,
                "as_expected": right,
                "cpus": os.cpu_count(),
                "workers_1_s": round(one, 2),
                "workers_2_s": round(two, 2),
                "speedup": round(speedup, 2),
                "target": {"speedup_min": TARGET_SPEEDUP},
                "met": speedup >= TARGET_SPEEDUP,
            }
        )
    )


if __name__ == "__main__":
    main()
