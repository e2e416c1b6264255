"""Benchmark: store and report a synthetic 10,000-attempt run: insert every attempt, then
summary() and write_report(), with the process's peak memory.

    python bench/bench_report.py [--attempts 10000] [--keep DIR]   (--quick: 500 attempts)

Phases, each timed on its own in the same process (wall seconds; `*_cpu_s` is this process's
CPU time, steadier than wall time on a shared machine):

- `build_with_files_s`: the fixture, not held to the target. `make_demo_run` draws 10,000
  synthetic AttemptRecords, writes them to results.sqlite (`SqliteStore.put_many`, 500 a
  transaction) and writes each attempt's files as a run does (attempts/<id>/ with
  attempt.json, bodies.json, trajectory.json for model agents, workspace.diff: about 37,000
  files). Mostly file-system metadata writes, so it depends on the disk more than on autoexp.
- `insert_s`: the same 10,000 records (read back first, untimed) put into a fresh store one
  `SqliteStore.put` at a time: one committed transaction per attempt, as a live run writes
  them, so a killed run keeps every finished attempt. `insert_batch_s`: the same records
  through `SqliteStore.put_many` (one transaction, the bulk-import path), shown for reference.
- `summary_s`: `summary(run_dir)`, the aggregates by SQL over the store.
- `report_s`: `write_report(run_dir)` on the fixture's run directory (attempt files
  included): summary again, the attempts table from the store's columns, detail sections
  (capped at 400 attempts) read from the attempt files, four matplotlib plots (matplotlib is
  imported here, inside the timing), index.html and summary.md.

`total_s` = insert_s + summary_s + report_s (the per-attempt `put`, not the batch): target at
most 5 s, and `peak_mb` (the process's peak resident memory once the report is written, before
the records are read back for the insert timing) at most 300 MB. The final line is JSON with
every figure, the targets and whether they are met.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from autoexp.report import summary, write_report
from autoexp.report._demo import make_demo_run
from autoexp.runner._store import SqliteStore

TARGET_S = 5.0
TARGET_MB = 300.0
T = TypeVar("T")


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(work: Callable[[], T]) -> tuple[tuple[float, float], T]:
    """((wall seconds, CPU seconds of this process), result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return (time.perf_counter() - wall, time.process_time() - cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="build the run here and keep it")
    parser.add_argument("--quick", action="store_true", help="500 attempts")
    args = parser.parse_args()
    if args.quick:
        args.attempts = 500
    start_mb = peak_mb()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    run_dir = root / "bench-run"
    try:
        build_s, _ = timed(
            lambda: make_demo_run(run_dir, args.attempts, trials=args.trials, seed=1)
        )
        print(
            f"built {args.attempts:,} attempts (store and attempt files) in {build_s[0]:.1f} s "
            f"({build_s[1]:.1f} s of CPU)"
        )

        summary_s, s = timed(lambda: summary(run_dir))
        assert s.attempts == args.attempts, (s.attempts, args.attempts)

        report_s, index = timed(lambda: write_report(run_dir))

        size = index.stat().st_size
        md = (index.parent / "summary.md").stat().st_size
        print(
            f"summary():      {summary_s[0]:7.3f} s  {args.attempts / summary_s[0]:12,.0f} "
            f"attempts/s ({len(s.rows)} rows, {len(s.functions)} function stats)"
        )
        print(
            f"write_report(): {report_s[0]:7.3f} s  {args.attempts / report_s[0]:12,.0f} attempts/s"
        )
        print(
            f"index.html:     {size / 1e6:7.2f} MB ({size / args.attempts:,.0f} bytes/attempt); "
            f"summary.md {md / 1e3:.1f} kB"
        )
        memory = peak_mb()  # before the records are read back for the insert timing below
        with SqliteStore(run_dir / "results.sqlite") as store:
            records = store.all()

        def put_each() -> None:
            with SqliteStore(root / "again.sqlite") as store:
                for record in records:
                    store.put(record)

        def put_batch() -> None:
            with SqliteStore(root / "batch.sqlite") as store:
                store.put_many(records)

        insert_s, _ = timed(put_each)
        batch_s, _ = timed(put_batch)
        records.clear()
        print(
            f"SqliteStore.put: {insert_s[0]:7.3f} s  {args.attempts / insert_s[0]:12,.0f} "
            f"attempts/s (put_many: {batch_s[0]:.3f} s)"
        )
        total = insert_s[0] + summary_s[0] + report_s[0]
        total_cpu = insert_s[1] + summary_s[1] + report_s[1]
        print(f"total:          {total:7.3f} s  ({total_cpu:.3f} s of CPU)")
        print(f"peak memory:    {memory:7.1f} MB (at start {start_mb:.1f} MB)")
        print(
            json.dumps(
                {
                    "bench": "report",
                    "attempts": args.attempts,
                    "insert_s": round(insert_s[0], 3),
                    "insert_batch_s": round(batch_s[0], 3),
                    "build_with_files_s": round(build_s[0], 3),
                    "build_cpu_s": round(build_s[1], 3),
                    "summary_s": round(summary_s[0], 3),
                    "report_s": round(report_s[0], 3),
                    "total_s": round(total, 3),
                    "insert_cpu_s": round(insert_s[1], 3),
                    "summary_cpu_s": round(summary_s[1], 3),
                    "report_cpu_s": round(report_s[1], 3),
                    "total_cpu_s": round(total_cpu, 3),
                    "peak_mb": round(memory, 1),
                    "html_mb": round(size / 1e6, 2),
                    "target": {"total_s_max": TARGET_S, "peak_mb_max": TARGET_MB},
                    "met": total <= TARGET_S and memory <= TARGET_MB,
                }
            )
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
