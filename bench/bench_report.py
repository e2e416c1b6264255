"""Benchmark: summary() and write_report() on a synthetic 10,000-attempt run.

The store is filled through SqliteStore.put with real AttemptRecords (plus attempt files:
trajectory.json, bodies.json, workspace.diff) in a temporary directory; only summary() and
write_report() are timed.

    python bench/bench_report.py [--attempts 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from autoexp.report import summary, write_report
from autoexp.report._demo import make_demo_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="build the run here and keep it")
    args = parser.parse_args()
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
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
