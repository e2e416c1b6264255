"""GPUs: which ones this machine has, which ones autoexp may hand out, who holds which.

A GPU is named by its device index N, the N of `/dev/nvidiaN` (the driver's device minor,
which on a standard install is also the PCI-bus order that `nvidia-smi` shows). The sandbox
exposes exactly the device nodes of the GPUs an attempt was given (see
`autoexp.sandbox.gpu_mounts`).

- `machine_gpus()`: `$AUTOEXP_GPUS` when set (`"0,1"`, or `"none"`), else the GPUs found
  under `/proc/driver/nvidia/gpus` or, failing that, the `/dev/nvidiaN` nodes.
- `GpuPool`: the local executor's allocator; attempts never share a GPU.
- `assigned_gpus()`: in a worker process, the GPUs of the attempt it runs, from
  `$AUTOEXP_ASSIGNED_GPUS` (set by the local executor, or by the Ray executor from
  `ray.get_gpu_ids()`).
- `gpu_skip_reason(needed)`: why a task cannot run here; the one place planning and
  validation decide it (an executor with GPUs elsewhere, e.g. a Ray cluster, passes its own
  count instead of this machine's).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from autoexp.errors import ConfigError

GPUS_ENV = "AUTOEXP_GPUS"
"""Restricts the GPUs autoexp hands out: comma-separated device indices, or `none`."""
ASSIGNED_ENV = "AUTOEXP_ASSIGNED_GPUS"
"""In a worker process: the device indices of the attempt it runs (empty: none)."""

_DEV_NODE = re.compile(r"nvidia(\d+)")
_MINOR = re.compile(r"^Device Minor:\s*(\d+)\s*$", re.MULTILINE)


def parse_gpu_list(text: str, source: str) -> list[int]:
    """Device indices from `"0,1"` (spaces allowed), `"none"` or `""` (no GPU), sorted;
    anything else is a ConfigError naming `source` (e.g. the variable it came from)."""
    text = text.strip()
    if text.lower() in ("", "none"):
        return []
    ids: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit():
            raise ConfigError(
                f"{source}={text!r}: expected comma-separated GPU indices such as 0,1 "
                f"(the N of /dev/nvidiaN), or none; {part!r} is not an index"
            )
        ids.append(int(part))
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{source}={text!r}: a GPU index is given twice")
    return sorted(ids)


def detect_gpus(proc: Path = Path("/proc"), dev: Path = Path("/dev")) -> list[int]:
    """The NVIDIA GPUs of this machine: the device minors listed under
    `proc/driver/nvidia/gpus/*/information`, else the N of every `dev/nvidiaN` node. Without
    either there is nothing a sandbox could expose, so `nvidia-smi` is not asked."""
    found: set[int] = set()
    for info in sorted((proc / "driver" / "nvidia" / "gpus").glob("*/information")):
        try:
            match = _MINOR.search(info.read_text(errors="replace"))
        except OSError:
            continue
        if match:
            found.add(int(match.group(1)))
    if not found and dev.is_dir():
        found = {int(m.group(1)) for p in dev.iterdir() if (m := _DEV_NODE.fullmatch(p.name))}
    return sorted(found)


def machine_gpus() -> list[int]:
    """The GPUs autoexp may hand out here: `$AUTOEXP_GPUS` when set, else `detect_gpus()`."""
    given = os.environ.get(GPUS_ENV)
    return detect_gpus() if given is None else parse_gpu_list(given, GPUS_ENV)


def assigned_gpus() -> list[int]:
    """The GPUs of the attempt this worker process runs (`$AUTOEXP_ASSIGNED_GPUS`); none when
    it is unset (a CPU-only attempt, or a process that is no executor's worker)."""
    return parse_gpu_list(os.environ.get(ASSIGNED_ENV, ""), ASSIGNED_ENV)


def _plural(k: int) -> str:
    return f"{k} GPU" if k == 1 else f"{k} GPUs"


def gpu_skip_reason(needed: int, available: int | None = None) -> str | None:
    """Why a task that needs `needed` GPUs cannot run where `available` GPUs are (default:
    this machine's, `machine_gpus()`), or None when it can."""
    if needed <= 0:
        return None
    have = len(machine_gpus()) if available is None else available
    if needed <= have:
        return None
    where = "this machine has none" if have == 0 else f"this machine has {_plural(have)}"
    restricted = f" ({GPUS_ENV} is set)" if GPUS_ENV in os.environ else ""
    return (
        f"needs {_plural(needed)}, {where}{restricted}; run it on a machine with NVIDIA GPUs "
        f"(set {GPUS_ENV}=0,1,... to choose which)"
    )


class GpuPool:
    """Device indices free to hand out. `take(k)` gives k of them (the lowest free) or None
    when fewer are free; `give(ids)` returns them. Not thread-safe: one executor owns it."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.all: tuple[int, ...] = tuple(sorted(set(ids)))
        """Every GPU of the pool."""
        self._free: set[int] = set(self.all)

    @property
    def free(self) -> list[int]:
        """The GPUs nobody holds, sorted."""
        return sorted(self._free)

    def take(self, k: int) -> list[int] | None:
        """k free GPUs (none for k <= 0), now held by the caller; None when fewer are free."""
        if k <= 0:
            return []
        if len(self._free) < k:
            return None
        ids = sorted(self._free)[:k]
        self._free.difference_update(ids)
        return ids

    def give(self, ids: Sequence[int]) -> None:
        """Return GPUs taken from this pool; giving back one that is free or foreign is a bug."""
        bad = [i for i in ids if i not in self.all or i in self._free]
        if bad:
            raise ValueError(f"GPUs {bad} were not taken from this pool")
        self._free.update(ids)
