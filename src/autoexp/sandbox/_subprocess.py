"""The fallback backend: a plain subprocess, no isolation at all."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from autoexp.errors import SandboxError
from autoexp.sandbox._env import PYTHON_NAMES, python_dir_has_python, sandbox_env
from autoexp.sandbox._gpu import gpu_env
from autoexp.sandbox._launcher import (
    START_MARKER,
    find_bash,
    launcher_argv,
    limits_for,
    user_task_count,
)
from autoexp.sandbox._process import run_capped
from autoexp.sandbox._types import ExecResult, Isolation, SandboxConfig


class SubprocessSandbox:
    """Runs `bash -c command` directly with cwd at the workspace, the same clean environment
    (HOME is the workspace's host path), rlimits, output cap and timeout as BwrapSandbox.

    Not isolated: the command sees and may change the whole machine, and `network` is not
    enforced; GPUs are hidden from CUDA only through CUDA_VISIBLE_DEVICES. As root the process cap is not applied (root is exempt from RLIMIT_NPROC); a
    process that leaves its session and its parent's tree can outlive the timeout."""

    isolation: Isolation = Isolation.NONE

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()

    def run(
        self,
        command: str,
        workspace: Path,
        *,
        timeout_s: float,
        env: Mapping[str, str] | None = None,
        network: bool = False,
    ) -> ExecResult:
        """Run `bash -c command` in `workspace`; `network` is accepted but not enforced."""
        workspace = Path(workspace).resolve()
        if not workspace.is_dir():
            raise SandboxError(f"workspace {workspace} is not a directory")
        uid = os.getuid()
        processes = None if uid == 0 else user_task_count(uid) + self.config.max_procs
        finished = run_capped(
            launcher_argv(_bash(), limits_for(self.config, processes), command),
            cwd=workspace,
            env=sandbox_env(
                str(workspace),
                {**(env or {}), **gpu_env(self.config.gpus)},
                shim_dir=_shim_dir(),
                python_dir=self.config.python_dir,
            ),
            timeout_s=timeout_s,
            output_cap_bytes=self.config.output_cap_bytes,
            stderr_prefix=START_MARKER,
        )
        if not finished.stderr_prefix_seen:
            raise SandboxError(f"could not start the command: {finished.stderr.strip()}")
        return finished.to_result(command)


@functools.cache
def _bash() -> str:
    return find_bash()


@functools.cache
def _shim_dir() -> str | None:
    """A directory of `python` links to sys.executable when its own directory lacks them;
    made once per process, removed at exit."""
    if python_dir_has_python():
        return None
    path = tempfile.mkdtemp(prefix="autoexp-python-")
    os.chmod(path, 0o755)
    for name in PYTHON_NAMES:
        os.symlink(sys.executable, os.path.join(path, name))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path
