"""Small file helpers shared by the store, the runner, the trajectories and the task loader."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (about ten times faster: loading the
built-in suite's task files is most of what `autoexp tasks list` does), else PyYAML's own."""


def load_yaml(text: str) -> Any:
    """`yaml.safe_load(text)`, through the fastest safe loader available; raises what it does."""
    return yaml.load(text, Loader=_YamlLoader)  # a safe loader


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename, so a crash leaves either the
    old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def read_agent_file(path: Path, cap: int) -> tuple[bytes | None, str | None]:
    """Read a file that an agent wrote, without trusting it: (data, None), (None, None) when
    there is no file, or (None, why) when it is a symlink, not a regular file, or larger than
    `cap` bytes (then nothing of it is read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None, None
    except OSError as e:  # ELOOP: a symlink; EACCES, ...
        return (
            None,
            f"{path.name} cannot be read ({os.strerror(e.errno or 0)}); not a regular file?",
        )
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None, f"{path.name} is not a regular file"
        if st.st_size > cap:
            return None, f"{path.name} is {st.st_size} bytes, more than the {cap} allowed"
        data = f.read(cap + 1)
    if len(data) > cap:
        return None, f"{path.name} is more than the {cap} bytes allowed"
    return data, None
