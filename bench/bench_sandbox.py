"""Overhead of the sandbox: median wall time of short Python commands, bare vs sandboxed.

Not a test. Run: `python bench/bench_sandbox.py [--reps 30]`. Prints one line per command and
backend with the median, and the ratios to the bare subprocess.
"""

from __future__ import annotations

import argparse
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

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
}


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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    problem = probe_bwrap()
    if problem is not None:
        sys.exit(problem)
    workspace = Path(tempfile.mkdtemp(prefix="autoexp-bench-"))
    env = sandbox_env(str(workspace))  # the bare run gets the same clean environment
    bwrap, plain = BwrapSandbox(SandboxConfig()), SubprocessSandbox(SandboxConfig())

    def bare(argv: list[str]) -> Callable[[], None]:
        return lambda: subprocess.run(argv, check=True, env=env, cwd=workspace)

    def sandboxed(sb: BwrapSandbox | SubprocessSandbox, command: str) -> Callable[[], None]:
        def go() -> None:
            res = sb.run(command, workspace, timeout_s=60)
            assert res.ok, res.stderr

        return go

    print(f"median of {args.reps} interleaved runs each")
    for command, argv in COMMANDS.items():
        m = medians_s(
            {
                "bare": bare(argv),
                "sub": sandboxed(plain, command),
                "bwrap": sandboxed(bwrap, command),
            },
            args.reps,
        )
        print(
            f"{command:26s} bare {m['bare'] * 1e3:6.1f} ms | SubprocessSandbox "
            f"{m['sub'] * 1e3:6.1f} ms (x{m['sub'] / m['bare']:.2f}) | BwrapSandbox "
            f"{m['bwrap'] * 1e3:6.1f} ms (x{m['bwrap'] / m['bare']:.2f}, "
            f"+{(m['bwrap'] - m['bare']) * 1e3:.1f} ms)"
        )
    shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    main()
