"""Overhead of the sandbox: median wall time of the same commands, bare vs sandboxed, side by
side in one run (the runs take turns, so a change of machine load hits every side alike).

- `python -c pass`: the fixed cost of starting a command (target: at most 10 ms added);
- a numpy experiment of about one second (matrix products, single-threaded BLAS as in the
  sandbox's environment): the ratio to the bare run (target: at most 1.02).

Not a test. Run: `python bench/bench_sandbox.py [--reps 30] [--numpy-reps 10]` (`--quick`: 3
reps, a 0.2 s experiment). Prints one line per command and a final JSON line with the
figures and the targets.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from autoexp.sandbox import BwrapSandbox, SandboxConfig, SubprocessSandbox, probe_bwrap
from autoexp.sandbox._env import sandbox_env

TARGET_ADDED_MS = 10.0
TARGET_NUMPY_RATIO = 1.02

NUMPY = (
    "import numpy as np\n"
    "a = np.random.default_rng(0).random((300, 300))\n"
    "for _ in range({n}):\n"
    "    a = a @ a\n"
    "    a /= np.abs(a).max()\n"
)


def medians_s(fns: dict[str, Callable[[], None]], reps: int) -> dict[str, float]:
    """Median wall time of each fn; the fns take turns so load changes hit all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # warm the page cache and the probe
    for _ in range(reps):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--numpy-reps", type=int, default=10)
    parser.add_argument("--numpy-seconds", type=float, default=1.0)
    parser.add_argument("--quick", action="store_true", help="3 reps, a 0.2 s experiment")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.numpy_reps, args.numpy_seconds = 3, 3, 0.2
    problem = probe_bwrap()
    if problem is not None:
        sys.exit(problem)
    workspace = Path(tempfile.mkdtemp(prefix="autoexp-bench-"))
    env = sandbox_env(str(workspace))  # the bare run gets the same clean environment
    bwrap, plain = BwrapSandbox(SandboxConfig()), SubprocessSandbox(SandboxConfig())

    def bare(command: str) -> Callable[[], None]:
        argv = ["bash", "-c", command]
        return lambda: subprocess.run(argv, check=True, env=env, cwd=workspace, capture_output=True)

    def sandboxed(sb: BwrapSandbox | SubprocessSandbox, command: str) -> Callable[[], None]:
        def go() -> None:
            res = sb.run(command, workspace, timeout_s=600)
            assert res.ok, res.stderr

        return go

    # Size the numpy experiment to about --numpy-seconds on the bare side: the loop times itself.
    (workspace / "probe.py").write_text(
        "import time\nt0 = time.perf_counter()\n"
        + NUMPY.format(n=50)
        + "print(time.perf_counter() - t0)\n",
        encoding="utf-8",
    )
    per_50 = min(
        float(
            subprocess.run(
                ["bash", "-c", "python probe.py"],
                env=env,
                cwd=workspace,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(3)
    )
    n = max(1, round(50 * args.numpy_seconds / max(per_50, 1e-4)))
    (workspace / "experiment.py").write_text(NUMPY.format(n=n), encoding="utf-8")

    commands = {"python -c pass": args.reps, "python experiment.py": args.numpy_reps}
    figures: dict[str, dict[str, float]] = {}
    try:
        print("median of interleaved runs (bare | SubprocessSandbox | BwrapSandbox)")
        for command, reps in commands.items():
            m = medians_s(
                {
                    "bare": bare(command),
                    "sub": sandboxed(plain, command),
                    "bwrap": sandboxed(bwrap, command),
                },
                reps,
            )
            figures[command] = m
            print(
                f"{command:22s} x{reps:<3d} bare {m['bare'] * 1e3:7.1f} ms | "
                f"{m['sub'] * 1e3:7.1f} ms (x{m['sub'] / m['bare']:.3f}) | "
                f"{m['bwrap'] * 1e3:7.1f} ms (x{m['bwrap'] / m['bare']:.3f}, "
                f"+{(m['bwrap'] - m['bare']) * 1e3:.1f} ms)",
                flush=True,
            )
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    start = figures["python -c pass"]
    numpy = figures["python experiment.py"]
    added_ms = (start["bwrap"] - start["bare"]) * 1e3
    ratio = numpy["bwrap"] / numpy["bare"]
    print(
        json.dumps(
            {
                "bench": "sandbox",
                "pass_bare_ms": round(start["bare"] * 1e3, 1),
                "pass_bwrap_ms": round(start["bwrap"] * 1e3, 1),
                "pass_added_ms": round(added_ms, 1),
                "numpy_bare_s": round(numpy["bare"], 3),
                "numpy_bwrap_s": round(numpy["bwrap"], 3),
                "numpy_ratio": round(ratio, 4),
                "target": {
                    "pass_added_ms_max": TARGET_ADDED_MS,
                    "numpy_ratio_max": TARGET_NUMPY_RATIO,
                },
                "met": added_ms <= TARGET_ADDED_MS and ratio <= TARGET_NUMPY_RATIO,
            }
        )
    )


if __name__ == "__main__":
    main()
