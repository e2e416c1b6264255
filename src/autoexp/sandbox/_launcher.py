"""The small shell launcher both backends run: set rlimits, announce the start, exec the command.

The start marker is written to stderr by the launcher itself, after the limits are in place and
before the command runs. Its absence means the sandbox (bwrap, the uid switch, the limits) failed
to start: an infra error. A command cannot remove a marker printed before it started, so it
cannot pass its own failure off as the sandbox's.
"""

from __future__ import annotations

import os
import resource
import shlex
import shutil
from dataclasses import dataclass

from autoexp.errors import SandboxError
from autoexp.sandbox._env import SYSTEM_PATH
from autoexp.sandbox._types import SandboxConfig

START_MARKER = b"__autoexp_sandbox_started__\n"
LIMITS_FAILED = 125
"""Exit status of the launcher when it cannot set the limits."""


@dataclass(frozen=True)
class Limits:
    """Resource limits in the units of bash's `ulimit` (KiB for -v and -f)."""

    address_space_kb: int | None
    """RLIMIT_AS, or None to leave it alone (commands with GPUs: see `limits_for`)."""
    file_size_kb: int
    open_files: int
    processes: int | None
    """RLIMIT_NPROC, or None to leave it alone."""


def limits_for(config: SandboxConfig, processes: int | None) -> Limits:
    """The config's limits, lowered to our own hard limits (which a child cannot exceed).
    With GPUs the address space is not limited: the CUDA driver reserves virtual address
    ranges far larger than the memory it uses (unified addressing), and fails to initialise
    under a few GiB of RLIMIT_AS."""
    memory = None if config.gpus else _clamp(resource.RLIMIT_AS, config.memory_mb * 1024, 1024)
    return Limits(
        address_space_kb=memory,
        file_size_kb=_clamp(resource.RLIMIT_FSIZE, config.file_size_mb * 1024, 1024),
        open_files=_clamp(resource.RLIMIT_NOFILE, config.open_files, 1),
        processes=None if processes is None else _clamp(resource.RLIMIT_NPROC, processes, 1),
    )


def _clamp(which: int, value: int, unit: int) -> int:
    hard = resource.getrlimit(which)[1]
    return value if hard == resource.RLIM_INFINITY else min(value, hard // unit)


def find_bash() -> str:
    """Absolute path of bash on the host (searched in the system directories)."""
    found = shutil.which("bash", path=os.pathsep.join(SYSTEM_PATH))
    if found is None:
        raise SandboxError("bash not found in the system directories; autoexp needs bash")
    return found


def launcher_argv(bash: str, limits: Limits, command: str, cwd: str | None = None) -> list[str]:
    """`bash -c LAUNCHER` that applies `limits` (soft = hard, so they cannot be raised back),
    changes to `cwd` if given, prints the start marker on stderr and execs `bash -c command`."""
    settings = ["-c 0", f"-f {limits.file_size_kb}", f"-n {limits.open_files}"]
    if limits.address_space_kb is not None:
        settings.append(f"-v {limits.address_space_kb}")
    if limits.processes is not None:
        settings.append(f"-u {limits.processes}")
    steps = [f"ulimit -HS {s}" for s in settings]
    if cwd is not None:
        steps.append(f"cd {shlex.quote(cwd)}")
    script = (
        " && ".join(steps)
        + f" || exit {LIMITS_FAILED}\n"
        + f"printf '%s\\n' {START_MARKER.decode().strip()} >&2\n"
        + f'exec {shlex.quote(bash)} -c "$1"\n'
    )
    return [bash, "-c", script, "autoexp-sandbox", command]


def user_task_count(uid: int) -> int:
    """Processes and threads whose owner is `uid` (what RLIMIT_NPROC counts without a userns)."""
    count = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid == uid:
                count += len(os.listdir(f"/proc/{name}/task"))
        except OSError:
            continue
    return count
