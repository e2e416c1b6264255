"""Benchmark: store and report a synthetic 10,000-attempt run: insert every attempt, then
summary() and write_report(), with the process's peak memory.

The store is filled through SqliteStore.put with real AttemptRecords (plus attempt files:
trajectory.json, bodies.json, workspace.diff) in a temporary directory.

    python bench/bench_report.py [--attempts 10000] [--keep DIR]   (--quick: 500 attempts)

Prints a line per phase and a final JSON line with the figures and the targets (inserting the
10,000 records into a fresh store, summary() and write_report() at most 5 s in total; at most
300 MB of memory). Building the demo run also writes attempt files; that is shown apart.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from autoexp.report import summary, write_report
from autoexp.report._demo import make_demo_run
from autoexp.runner._store import SqliteStore

TARGET_S = 5.0
TARGET_MB = 300.0


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
        t0 = time.perf_counter()
        make_demo_run(run_dir, args.attempts, trials=args.trials, seed=1)
        build_s = time.perf_counter() - t0
        print(f"built {args.attempts:,} attempts (SqliteStore.put + files) in {build_s:.1f} s")

        t0 = time.perf_counter()
        s = summary(run_dir)
        summary_s = time.perf_counter() - t0
        assert s.attempts == args.attempts, (s.attempts, args.attempts)

        t0 = time.perf_counter()
        index = write_report(run_dir)
        report_s = time.perf_counter() - t0

        size = index.stat().st_size
        md = (index.parent / "summary.md").stat().st_size
        print(
            f"summary():      {summary_s:7.3f} s  {args.attempts / summary_s:12,.0f} attempts/s "
            f"({len(s.rows)} rows, {len(s.functions)} function stats)"
        )
        print(f"write_report(): {report_s:7.3f} s  {args.attempts / report_s:12,.0f} attempts/s")
        print(
            f"index.html:     {size / 1e6:7.2f} MB ({size / args.attempts:,.0f} bytes/attempt); "
            f"summary.md {md / 1e3:.1f} kB"
        )
        memory = peak_mb()  # before the records are read back for the insert timing below
        with SqliteStore(run_dir / "results.sqlite") as store:
            records = store.all()
        t0 = time.perf_counter()
        with SqliteStore(root / "again.sqlite") as store:
            for record in records:
                store.put(record)
        insert_s = time.perf_counter() - t0
        del records
        print(f"SqliteStore.put: {insert_s:7.3f} s  {args.attempts / insert_s:12,.0f} attempts/s")
        total = insert_s + summary_s + report_s
        print(f"peak memory:    {memory:7.1f} MB (at start {start_mb:.1f} MB)")
        print(
            json.dumps(
                {
                    "bench": "report",
                    "attempts": args.attempts,
                    "insert_s": round(insert_s, 3),
                    "build_with_files_s": round(build_s, 3),
                    "summary_s": round(summary_s, 3),
                    "report_s": round(report_s, 3),
                    "total_s": round(total, 3),
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
