"""Data types of the sandbox layer."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class Isolation(StrEnum):
    """How strongly commands are isolated; recorded on every attempt."""

    BUBBLEWRAP = "bubblewrap"
    """Own mount, PID, network namespaces; only the workspace writable; rlimits."""
    NONE = "none"
    """Plain subprocess: no isolation at all (fallback, warned about loudly)."""


class SandboxConfig(BaseModel):
    """Limits and mounts for sandboxed commands."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    memory_mb: int = Field(default=4096, gt=0)
    """Address-space limit (RLIMIT_AS) per process, in MiB."""
    max_procs: int = Field(default=256, gt=0)
    """Cap on processes/threads of the sandbox user."""
    file_size_mb: int = Field(default=512, gt=0)
    """Largest file a command may write (RLIMIT_FSIZE), in MiB."""
    open_files: int = Field(default=1024, gt=0)
    """Open file descriptors per process (RLIMIT_NOFILE)."""
    output_cap_bytes: int = Field(default=1 << 20, gt=0)
    """Bytes of stdout and of stderr kept; the rest is dropped with a note."""
    hide: list[Path] = Field(default_factory=list)
    """Host paths that must not be visible inside the sandbox (original code, run store, ...)."""
    extra_ro: list[Path] = Field(default_factory=list)
    """Extra host paths mounted read-only (e.g. a tool an external agent needs)."""
    python_dir: Path | None = None
    """A directory whose `python` and `python3` the sandbox's commands run, first on PATH (a
    task's own environment, see `autoexp.runner.task_environment`); it must be visible (under
    `extra_ro`). None: autoexp's interpreter."""
    extra_rw: dict[str, Path] = Field(default_factory=dict)
    """Host directories mounted read-write (bubblewrap only): path inside -> host path, e.g. a
    CLI agent's per-attempt HOME, kept outside the workspace."""
    gpus: list[int] = Field(default_factory=list)
    """GPUs the commands may use (the N of each /dev/nvidiaN, as the executor assigned them):
    bubblewrap exposes only their device nodes, and CUDA_VISIBLE_DEVICES names only them in
    both backends. Empty: no GPU is visible at all."""


class ExecResult(BaseModel):
    """Outcome of one command run in a sandbox."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    command: str
    """The command as given."""
    exit_code: int | None
    """Exit status; None when the command was killed by the timeout."""
    stdout: str
    """Captured stdout (capped; see `truncated`)."""
    stderr: str
    """Captured stderr (capped; see `truncated`)."""
    timed_out: bool = False
    """The wall-clock timeout fired and the whole process tree was killed."""
    truncated: bool = False
    """Output went over the cap and was cut."""
    duration_s: float = 0.0
    """Wall-clock time of the command."""

    @property
    def ok(self) -> bool:
        """Exited 0 within the timeout."""
        return self.exit_code == 0 and not self.timed_out
