"""Paths a solver gives (`/workspace/x`, `x`, `./a/../x`) -> places inside the workspace only."""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath

from autoexp.agents._tools import INNER_WORKSPACE


def inner_relative(path: str) -> PurePosixPath:
    """`path` relative to the workspace as the sandbox shows it (`/workspace`).

    Absolute paths must be `/workspace` or below it; relative ones are relative to it. `..` may
    not climb out. Raises PermissionError naming the path.
    """
    if "\x00" in path:
        raise PermissionError(f"{path!r}: a path may not hold a NUL byte")
    norm = posixpath.normpath(path or ".")
    if norm.startswith("/"):
        if norm == INNER_WORKSPACE:
            return PurePosixPath(".")
        if not norm.startswith(INNER_WORKSPACE + "/"):
            raise PermissionError(f"{path}: outside the workspace ({INNER_WORKSPACE})")
        norm = norm[len(INNER_WORKSPACE) + 1 :]
    if norm == ".." or norm.startswith("../"):
        raise PermissionError(f"{path}: outside the workspace ({INNER_WORKSPACE})")
    return PurePosixPath(norm)


def host_path(workspace: Path, path: str) -> Path:
    """Where `path` (see `inner_relative`) is on the host, following symlinks that stay in the
    workspace. Raises PermissionError when it, or a symlink on the way, leads out."""
    root = workspace.resolve()
    target = (root / inner_relative(path)).resolve()
    if target != root and not target.is_relative_to(root):
        raise PermissionError(f"{path}: leads outside the workspace ({INNER_WORKSPACE})")
    return target
