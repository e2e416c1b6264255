"""The `autoexp` sandbox environment: Inspect's tools work in an autoexp Session.

Each sample gets a Session (the masked workspace of its (task, combo), in the task's sandbox:
bubblewrap when it can run, network off, only the workspace writable). `exec` runs in that
sandbox; `read_file` / `write_file` reach the workspace only. The scorer grades the session.
"""

from __future__ import annotations

import base64
import functools
import os
import shlex
from pathlib import Path
from typing import Any, Literal, overload

import anyio
from inspect_ai.util import (
    ExecResult,
    SandboxEnvironment,
    SandboxEnvironmentConfigType,
    sandboxenv,
)
from inspect_ai.util._sandbox.environment import SandboxUserUnsupportedError
from pydantic import BaseModel

from autoexp.inspect._paths import host_path, inner_relative
from autoexp.inspect._types import AGENT_NAME, AutoexpSandboxConfig, SampleInfo
from autoexp.runner._session import Session

MAX_INPUT_BYTES = 90_000
"""Largest stdin `exec` takes: it travels base64-encoded inside the one `bash -c` argument,
which Linux caps at 128 KiB."""

SANDBOX_NAME = "autoexp"
"""Name of the sandbox environment (`sandbox=("autoexp", ...)`)."""


def _config(config: SandboxEnvironmentConfigType | None) -> AutoexpSandboxConfig:
    if config is None:
        return AutoexpSandboxConfig()
    if isinstance(config, AutoexpSandboxConfig):
        return config
    if isinstance(config, BaseModel):
        return AutoexpSandboxConfig.model_validate(config.model_dump())
    raise ValueError(
        f"sandbox {SANDBOX_NAME!r}: config must be an AutoexpSandboxConfig, not {config!r}"
    )


def _sample_info(metadata: dict[str, Any]) -> SampleInfo:
    try:
        return SampleInfo.model_validate(metadata)
    except ValueError as e:
        raise ValueError(
            f"sandbox {SANDBOX_NAME!r} needs a sample made by autoexp_suite (metadata with "
            f"task_id, task_root, combo): {e}"
        ) from None


def shell_command(cmd: list[str], rel_cwd: str, input: str | bytes | None) -> str:
    """The one shell command line that runs `cmd` in `rel_cwd` (relative to the workspace)
    with `input` on its stdin."""
    if not cmd:
        raise ValueError("exec: empty command")
    line = shlex.join(cmd)
    if rel_cwd != ".":
        line = f"cd {shlex.quote(rel_cwd)} && {line}"
    if input is None:
        return line
    data = input.encode("utf-8") if isinstance(input, str) else input
    if len(data) > MAX_INPUT_BYTES:
        raise ValueError(
            f"exec: stdin of {len(data)} bytes is more than the {MAX_INPUT_BYTES} the autoexp "
            "sandbox passes; write it to a file in the workspace and redirect from it"
        )
    encoded = base64.b64encode(data).decode("ascii")
    return f"printf %s {encoded} | base64 -d | ({line})"


@sandboxenv(name=SANDBOX_NAME)
class AutoexpSandboxEnvironment(SandboxEnvironment):
    """One sample's autoexp Session, seen as an Inspect sandbox."""

    def __init__(self, session: Session, config: AutoexpSandboxConfig) -> None:
        super().__init__()
        self.session = session
        """The sample's session (workspace, sandbox, grading)."""
        self.config = config

    @classmethod
    def default_concurrency(cls) -> int | None:
        """Samples with a live sandbox at once (Inspect's max_sandboxes): one per CPU, as
        grading re-runs experiments on the host's cores."""
        return max(1, os.cpu_count() or 1)

    @classmethod
    def config_deserialize(cls, config: dict[str, Any]) -> BaseModel:
        return AutoexpSandboxConfig.model_validate(config)

    @classmethod
    async def sample_init(
        cls,
        task_name: str,
        config: SandboxEnvironmentConfigType | None,
        metadata: dict[str, Any],
    ) -> dict[str, SandboxEnvironment]:
        cfg = _config(config)
        info = _sample_info(metadata)
        open_session = functools.partial(
            Session,
            info.task_root,
            info.combo,
            backend=cfg.backend,
            setting=info.setting,
            budget=info.budget,
            integrity=info.integrity,
            agent_name=AGENT_NAME,
        )
        session = await anyio.to_thread.run_sync(open_session)
        return {"default": cls(session, cfg)}

    @classmethod
    async def sample_cleanup(
        cls,
        task_name: str,
        config: SandboxEnvironmentConfigType | None,
        environments: dict[str, SandboxEnvironment],
        interrupted: bool,
    ) -> None:
        for env in environments.values():
            if isinstance(env, AutoexpSandboxEnvironment):
                await anyio.to_thread.run_sync(env.session.close)

    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        user: str | None = None,
        timeout: int | None = None,
        timeout_retry: bool = True,
        concurrency: bool = True,
    ) -> ExecResult[str]:
        """Run `cmd` in the session's sandbox. `cwd` is relative to `/workspace` (or absolute
        under it); `user` is not supported (commands run as the sandbox's own user); a timeout
        raises TimeoutError and is not retried (a command may have changed the workspace)."""
        if user is not None:
            raise SandboxUserUnsupportedError(
                f"the {SANDBOX_NAME} sandbox runs every command as its own user, not {user!r}"
            )
        rel = inner_relative(cwd or ".")
        if rel != Path("."):
            host_path(self.session.workspace, str(rel))  # a symlink out is refused
        line = shell_command(cmd, str(rel), input)
        run = functools.partial(
            self.session.exec,
            line,
            timeout_s=float(timeout) if timeout else self.config.command_timeout_s,
            env=env,
        )
        result = await anyio.to_thread.run_sync(run)
        if result.timed_out:
            raise TimeoutError(
                f"command timed out after {timeout or self.config.command_timeout_s} s"
            )
        code = result.exit_code if result.exit_code is not None else -1
        return ExecResult(
            success=code == 0, returncode=code, stdout=result.stdout, stderr=result.stderr
        )

    async def write_file(self, file: str, contents: str | bytes) -> None:
        """Write `file` in the workspace (parents created); a path outside it, or a symlink
        leading out, raises PermissionError."""
        data = contents.encode("utf-8") if isinstance(contents, str) else contents
        await anyio.to_thread.run_sync(_write, self.session.workspace, file, data)

    @overload
    async def read_file(self, file: str, text: Literal[True] = True) -> str: ...

    @overload
    async def read_file(self, file: str, text: Literal[False]) -> bytes: ...

    async def read_file(self, file: str, text: bool = True) -> str | bytes:
        """Read `file` from the workspace; a path outside it, or a symlink leading out, raises
        PermissionError."""
        data = await anyio.to_thread.run_sync(_read, self.session.workspace, file)
        return data.decode("utf-8") if text else data


def _read(workspace: Path, file: str) -> bytes:
    path = host_path(workspace, file)
    if path.is_dir():
        raise IsADirectoryError(f"{file}: is a directory")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _write(workspace: Path, file: str, data: bytes) -> None:
    path = host_path(workspace, file)
    if path.is_dir():
        raise IsADirectoryError(f"{file}: is a directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    host_path(workspace, file)  # the parents made may not lead out either
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
