"""Start-up of the command line: `autoexp --help` and `autoexp tasks list` against
`python -c pass`, median wall time of interleaved runs (so a change of load hits each alike),
and the CPU time (user + system) of each: on a busy machine the wall time waits for a core,
the CPU time does not, so it tells what an idle machine's wall time would be.

Not a test. Run: `python bench/bench_startup.py [--reps 15]` (`--quick`: 3 reps). Prints one
line per command and a final JSON line with the figures and the target (each at most 0.3 s).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

TARGET_S = 0.3

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "autoexp --help": [sys.executable, "-m", "autoexp.cli", "--help"],
    "autoexp tasks list": [sys.executable, "-m", "autoexp.cli", "tasks", "list"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 reps")
    args = parser.parse_args()
    reps = 3 if args.quick else args.reps
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpu: dict[str, float] = dict.fromkeys(COMMANDS, 0.0)
    for argv in COMMANDS.values():  # warm the page cache
        subprocess.run(argv, check=True, capture_output=True)
    for _ in range(reps):
        for name, argv in COMMANDS.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times[name].append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name] += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    for name, s in med.items():
        print(
            f"{name:20s} {s * 1e3:7.1f} ms (min {min(times[name]) * 1e3:.1f} ms, "
            f"CPU {cpu[name] / reps * 1e3:.1f} ms)"
        )
    cli = {k: v for k, v in med.items() if k.startswith("autoexp")}
    print(
        json.dumps(
            {
                "bench": "startup",
                "reps": reps,
                "seconds": {k: round(v, 3) for k, v in med.items()},
                "cpu_seconds": {k: round(v / reps, 3) for k, v in cpu.items()},
                "added_s": {k: round(v - med["python -c pass"], 3) for k, v in cli.items()},
                "target": {"seconds_max": TARGET_S},
                "met": all(v <= TARGET_S for v in cli.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
