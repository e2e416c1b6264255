"""Proof that the README's two set-up commands work on a fresh clone, with the machine idle or busy.

Not a test (it takes about 15 minutes on 2 cores). Run:

    python bench/check_setup.py [--busy [N]] [--busy-cmd CMD] [--repo PATH_OR_URL] [--keep]

Clones the repository (its committed HEAD) into a temporary directory, makes the virtual
environment the README recommends, then runs the README's first set-up command and then its
second, each in a fresh shell with that environment active. The commands are read from the
clone's README.md (its "Set-up" section: the venv command in backticks and the two ```bash
blocks), so they are exactly what a new user types. `--busy` runs N CPU-bound loops beside them
(default: one per core), `--busy-cmd` a command restarted whenever it ends (e.g. another
`autoexp tasks validate`); both are stopped afterwards. Prints each command's exit code and wall
time; exits 1 when any fails. Needs only Python's standard library, git and bash.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SECTION = re.compile(r"^## Set-up[^\n]*\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
VENV = re.compile(r"`([^`]*-m venv [^`]*)`")


class ReadmeError(Exception):
    """The README's set-up section is not in the shape this script reads."""


def setup_commands(readme: str) -> tuple[str, str, list[str]]:
    """(command making the venv, command activating it, the set-up commands) from the README's
    "Set-up" section. Raises ReadmeError when the section, the venv command or exactly two
    ```bash blocks of one command each are not there."""
    section = SECTION.search(readme)
    if section is None:
        raise ReadmeError('README.md has no "## Set-up" section')
    venv = VENV.search(section.group(1))
    if venv is None:
        raise ReadmeError("the set-up section names no `python3 -m venv ...` command")
    make, sep, activate = venv.group(1).partition("&&")
    if not sep or "activate" not in activate:
        raise ReadmeError(f"the venv command {venv.group(1)!r} is not `MAKE && ACTIVATE`")
    commands = [b.strip() for b in BASH_BLOCK.findall(section.group(1))]
    if len(commands) != 2 or any("\n" in c or not c for c in commands):
        raise ReadmeError(
            f"the set-up section has {len(commands)} ```bash blocks; expected two of one line"
        )
    return make.strip(), activate.strip(), commands


def fresh_env() -> dict[str, str]:
    """This environment without the virtual environment that may be running this script (so
    `python3` is the system's, as on a fresh machine)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    if sys.prefix != sys.base_prefix:
        venv_bin = str(Path(sys.prefix) / "bin")
        env["PATH"] = os.pathsep.join(
            p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin
        )
    return env


def start_load(busy: int, busy_cmd: str | None, cwd: Path) -> list[subprocess.Popen]:
    """Start `busy` CPU-bound loops and, if given, `busy_cmd` in a loop; each in its own
    process group (so stop_groups ends it and its children)."""
    loops = [[sys.executable, "-c", "while True: pass"] for _ in range(busy)]
    if busy_cmd:
        loops.append(["bash", "-c", f"while true; do {busy_cmd} || sleep 1; done"])
    return [
        subprocess.Popen(cmd, cwd=cwd, start_new_session=True, stdout=subprocess.DEVNULL)
        for cmd in loops
    ]


def stop_groups(procs: list[subprocess.Popen]) -> None:
    """Stop the process groups led by `procs` (still running): SIGTERM, then SIGKILL after 10 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in procs:
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, sig)
        deadline = time.monotonic() + 10
        for p in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=max(deadline - time.monotonic(), 0.1))
        if all(p.poll() is not None for p in procs):
            return


def step(label: str, script: str, cwd: Path, env: dict[str, str]) -> tuple[int, float]:
    """Run `script` in bash in `cwd`, its output going to ours; (exit code, seconds). When this
    script is interrupted, the command and its children are stopped too."""
    print(f"\n=== {label}: {script}", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(["bash", "-c", script], cwd=cwd, env=env, start_new_session=True)
    try:
        code = proc.wait()
    finally:
        stop_groups([proc])
    took = time.monotonic() - started
    print(f"=== {label}: exit code {code} in {took:.0f} s", flush=True)
    return code, took


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", default=str(REPO), help="repository to clone (default: this one)")
    ap.add_argument(
        "--busy", type=int, nargs="?", const=os.cpu_count() or 1, default=0, metavar="N",
        help="run N CPU-bound loops beside the commands (N default: one per core)",
    )  # fmt: skip
    ap.add_argument(
        "--busy-cmd", help="a command run in a loop beside them (e.g. autoexp tasks validate)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the load on the way out

    if Path(args.repo).is_dir():
        dirty = subprocess.run(
            ["git", "-C", args.repo, "status", "--porcelain"], capture_output=True, text=True
        ).stdout
        if dirty.strip():
            print(f"note: {args.repo} has uncommitted changes; the clone has only its commits")
    tmp = Path(tempfile.mkdtemp(prefix="autoexp-setup-"))
    clone = tmp / "autoexp"
    env = fresh_env()
    results: list[tuple[str, int, float]] = []
    load: list[subprocess.Popen] = []
    try:
        code, took = step(
            "clone",
            f"git clone --quiet {shlex.quote(args.repo)} {shlex.quote(str(clone))}",
            tmp,
            env,
        )
        results.append(("git clone", code, took))
        if code == 0:
            make, activate, commands = setup_commands((clone / "README.md").read_text("utf-8"))
            load = start_load(args.busy, args.busy_cmd, tmp)
            if load:
                print(
                    f"load: {args.busy} busy loop(s)"
                    + (f" and `{args.busy_cmd}`" if args.busy_cmd else "")
                )
            code, took = step("venv", make, clone, env)
            results.append((make, code, took))
            for i, command in enumerate(commands, 1):
                if code != 0:
                    break
                code, took = step(f"set-up command {i}", f"{activate} && {command}", clone, env)
                results.append((command, code, took))
    finally:
        stop_groups(load)
        if args.keep:
            print(f"clone kept: {clone}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        print("\nexit  seconds  command")
        for command, code, took in results:
            print(f"{code:>4}  {took:>7.0f}  {command}")
    ok = len(results) == 4 and all(code == 0 for _, code, _ in results)
    print("set-up: OK" if ok else "set-up: FAILED", "(busy)" if load else "(idle)")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ReadmeError as e:
        sys.exit(f"check_setup: {e}")
