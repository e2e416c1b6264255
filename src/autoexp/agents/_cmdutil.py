"""Helpers of the command agent: extra read-only mounts, the workspace's state, log tails."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from autoexp.protocols import Sandbox
from autoexp.sandbox._types import SandboxConfig


def with_mounts(
    sandbox: Sandbox, ro: Iterable[Path] = (), rw: Mapping[str, Path] | None = None
) -> Sandbox:
    """`sandbox`, or one of its kind whose config also mounts `ro` read-only (a preset's tool
    environment) and `rw` read-write (inside path -> host directory: the agent's home). A
    sandbox without a SandboxConfig is returned as it is."""
    config = getattr(sandbox, "config", None)
    if not isinstance(config, SandboxConfig):
        return sandbox
    extra = [p for p in ro if p not in config.extra_ro]
    if not extra and not rw:
        return sandbox
    update = {"extra_ro": [*config.extra_ro, *extra], "extra_rw": {**config.extra_rw, **(rw or {})}}
    return type(sandbox)(config.model_copy(update=update))  # type: ignore[call-arg]


def workspace_state(root: Path, skip: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Relative path -> (size, mtime in ns) of every file and link under `root`, without
    following links and leaving out the directories named in `skip` (at any depth)."""
    skipped = set(skip)
    out: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skipped]
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in [*filenames, *links]:
            path = os.path.join(dirpath, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            out[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return out


def log_tail(text: str, lines: int = 15, chars: int = 2000) -> str:
    """The last `lines` non-empty lines of `text`, at most `chars` characters."""
    kept = [line for line in text.splitlines() if line.strip()][-lines:]
    tail = "\n".join(kept)
    return tail if len(tail) <= chars else "..." + tail[-chars:]


def fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with each `{name}` of `values` replaced (other braces kept as written)."""
    if not values:
        return template
    pattern = re.compile(r"\{(" + "|".join(map(re.escape, values)) + r")\}")
    return pattern.sub(lambda m: values[m.group(1)], template)
