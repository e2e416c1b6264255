"""Small file helpers shared by the store, the runner and the trajectories."""

from __future__ import annotations

import os
import stat
from pathlib import Path


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
