"""Run one process with bounded output capture and a wall-clock timeout that kills its tree."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from autoexp.errors import SandboxError
from autoexp.sandbox._output import CappedBuffer
from autoexp.sandbox._types import ExecResult

_CHUNK = 1 << 16
_GRACE_S = 2.0
"""After the process ended (or was killed), how long to wait for its pipes to reach EOF."""


@dataclass(frozen=True)
class Finished:
    """What came out of one process."""

    exit_code: int | None
    """Exit status (128 + N when killed by signal N); None when the timeout killed it."""
    stdout: str
    stderr: str
    stderr_prefix_seen: bool
    """Whether stderr began with the expected prefix (the launcher's start marker)."""
    timed_out: bool
    truncated: bool
    duration_s: float

    def to_result(self, command: str) -> ExecResult:
        """The public record of this run of `command`."""
        return ExecResult(
            command=command,
            exit_code=self.exit_code,
            stdout=self.stdout,
            stderr=self.stderr,
            timed_out=self.timed_out,
            truncated=self.truncated,
            duration_s=self.duration_s,
        )


def run_capped(
    argv: list[str],
    *,
    env: Mapping[str, str],
    timeout_s: float,
    output_cap_bytes: int,
    cwd: Path | None = None,
    stderr_prefix: bytes = b"",
    sweep_descendants: bool = True,
) -> Finished:
    """Run `argv` in a new session; read both pipes without blocking or unbounded memory.

    On timeout, and again when the process ends, its process group is killed and, with
    `sweep_descendants`, every descendant found in /proc (those that left the group with
    setsid), so nothing it started outlives the call. bwrap needs no sweep: killing it tears
    down its PID namespace.
    """

    out = CappedBuffer(output_cap_bytes)
    err = CappedBuffer(output_cap_bytes, expect_prefix=stderr_prefix)
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
            close_fds=True,
        )
    except OSError as e:
        raise SandboxError(f"could not start {argv[0]!r}: {e}") from e
    assert proc.stdout is not None and proc.stderr is not None

    def kill() -> None:
        _kill_tree(proc.pid, sweep=sweep_descendants)

    timed_out = False
    end: float | None = None  # when the process was seen to exit
    deadline = start + timeout_s
    grace_until: float | None = None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout.fileno(), selectors.EVENT_READ, out)
        sel.register(proc.stderr.fileno(), selectors.EVENT_READ, err)
        pidfd = _pidfd(proc.pid)
        if pidfd is not None:
            sel.register(pidfd, selectors.EVENT_READ, None)
        try:
            while True:
                now = time.monotonic()
                if end is None and proc.poll() is not None:
                    end = now
                    kill()  # leftovers (background jobs) die with the command
                    grace_until = now + _GRACE_S
                if end is None and not timed_out and now >= deadline:
                    timed_out = True
                    kill()
                    grace_until = now + _GRACE_S
                pipes_open = any(k.data is not None for k in sel.get_map().values())
                if end is not None and not pipes_open:
                    break
                if grace_until is not None and now >= grace_until:
                    break  # something escaped the kill and still holds a pipe
                wait = (grace_until if grace_until is not None else deadline) - now
                if pidfd is None:
                    wait = min(wait, 0.05)
                for key, _ in sel.select(timeout=max(wait, 0.0)):
                    if key.data is None:  # the pidfd: the process ended
                        sel.unregister(key.fd)
                        continue
                    chunk = os.read(key.fd, _CHUNK)
                    if chunk:
                        key.data.feed(chunk)
                    else:
                        sel.unregister(key.fd)
        finally:
            if pidfd is not None:
                os.close(pidfd)
            proc.stdout.close()
            proc.stderr.close()
    code = proc.wait()
    if end is None:
        end = time.monotonic()
        kill()
    return Finished(
        exit_code=None if timed_out else (128 - code if code < 0 else code),
        stdout=out.text(),
        stderr=err.text(),
        stderr_prefix_seen=err.prefix_seen,
        timed_out=timed_out,
        truncated=bool(out.dropped or err.dropped),
        duration_s=round(end - start, 6),
    )


def _pidfd(pid: int) -> int | None:
    """A pidfd that becomes readable when `pid` exits (Linux >= 5.3), else None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _kill_tree(pid: int, *, sweep: bool) -> None:
    """SIGKILL the process group led by `pid` and, with `sweep`, every descendant of `pid` (even
    in other sessions), found through /proc before anything is killed so none is reparented."""
    victims = _descendants(pid) if sweep else []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for p in victims:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(p, signal.SIGKILL)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses; split after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(name))
    found: list[int] = []
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
