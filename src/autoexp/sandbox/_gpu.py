"""What a sandbox needs to show GPUs to its commands, and only the assigned ones.

bubblewrap builds /dev from scratch (`--dev`: null, zero, random, tty, ...), so without help no
GPU device node exists inside. For the assigned GPUs (the N of /dev/nvidiaN) `gpu_mounts`
binds their nodes plus the driver's shared control nodes; a GPU that is not assigned has no
node inside, so no process in the sandbox can open it. `/proc/driver/nvidia` needs no bind: it
is part of the fresh procfs the sandbox mounts. The CUDA driver library (libcuda) and its JIT
compiler usually live under /usr, which is bound read-only anyway; when the loader's cache
puts them elsewhere (e.g. /opt), their directories are bound read-only too.

`gpu_env` names the same GPUs in CUDA_VISIBLE_DEVICES (by UUID when the driver lists one, as
CUDA may renumber the devices it can see), and sets it to "" when none is assigned, so even
the plain-subprocess backend hides every GPU from CUDA.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from autoexp.sandbox._mounts import SYSTEM_DIRS

CONTROL_NODES = ("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset")
"""Device nodes every CUDA process needs (those that exist), whichever GPU it uses."""

DRIVER_LIBRARIES = ("libcuda.so.1", "libnvidia-ptxjitcompiler.so.1", "libnvidia-ml.so.1")
"""Driver libraries a CUDA program loads (the driver API, its PTX JIT, NVML)."""

CUDA_CACHE_PATH = "/tmp/autoexp-cuda-cache"
"""Where the CUDA driver caches the code it compiles from PTX; by default it would be
$HOME/.nv, and HOME is the workspace."""

_UUID = re.compile(r"^GPU UUID:\s*(GPU-[0-9a-fA-F-]+)\s*$", re.MULTILINE)
_MINOR = re.compile(r"^Device Minor:\s*(\d+)\s*$", re.MULTILINE)


def gpu_device_binds(gpus: Sequence[int], dev: Path = Path("/dev")) -> list[str]:
    """bwrap arguments that expose the device nodes of `gpus` (`dev/nvidiaN`) and the control
    nodes, each at /dev/<name>; nodes missing under `dev` are left out; none for no GPU."""
    if not gpus:
        return []
    names = [f"nvidia{i}" for i in sorted(set(gpus))] + list(CONTROL_NODES)
    args: list[str] = []
    for name in names:
        if os.path.exists(dev / name):
            args += ["--dev-bind", str(dev / name), f"/dev/{name}"]
    return args


def gpu_uuids(proc: Path = Path("/proc")) -> dict[int, str]:
    """Device minor -> GPU UUID, from `proc/driver/nvidia/gpus/*/information` (empty when the
    driver is not loaded or does not say)."""
    out: dict[int, str] = {}
    for info in sorted((proc / "driver" / "nvidia" / "gpus").glob("*/information")):
        try:
            text = info.read_text(errors="replace")
        except OSError:
            continue
        minor, uuid = _MINOR.search(text), _UUID.search(text)
        if minor and uuid:
            out[int(minor.group(1))] = uuid.group(1)
    return out


def gpu_env(gpus: Sequence[int], uuids: dict[int, str] | None = None) -> dict[str, str]:
    """CUDA_VISIBLE_DEVICES and NVIDIA_VISIBLE_DEVICES for `gpus`: their UUIDs when `uuids`
    (default: `gpu_uuids()`) knows every one, else their indices; "" for no GPU. With GPUs,
    also CUDA_CACHE_PATH."""
    ids = sorted(set(gpus))
    known = gpu_uuids() if uuids is None and ids else (uuids or {})
    names = [known[i] for i in ids] if all(i in known for i in ids) else [str(i) for i in ids]
    value = ",".join(names)
    env = {"CUDA_VISIBLE_DEVICES": value, "NVIDIA_VISIBLE_DEVICES": value}
    if ids:  # the driver's JIT cache, out of the workspace (HOME): the sandbox's own /tmp
        env["CUDA_CACHE_PATH"] = CUDA_CACHE_PATH
    return env


@functools.cache
def driver_library_dirs() -> tuple[Path, ...]:
    """Directories of DRIVER_LIBRARIES in the dynamic loader's cache (`ldconfig -p`); empty
    when ldconfig is missing or knows none of them."""
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig"):
        if os.path.exists(ldconfig):
            break
    else:
        return ()
    try:
        listing = subprocess.run(
            [ldconfig, "-p"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(sorted(lib_dirs_in(listing)))


def gpu_library_dirs(gpus: Sequence[int]) -> list[Path]:
    """Driver library directories to bind read-only for `gpus`: those outside SYSTEM_DIRS
    (which are bound anyway); none for no GPU."""
    if not gpus:
        return []
    system = [Path(d) for d in SYSTEM_DIRS]
    return [d for d in driver_library_dirs() if not any(d.is_relative_to(s) for s in system)]


def lib_dirs_in(listing: str, names: Sequence[str] = DRIVER_LIBRARIES) -> set[Path]:
    """The directories holding `names` in `ldconfig -p` output."""
    found = set()
    for line in listing.splitlines():
        name, sep, target = line.strip().partition(" => ")
        if sep and name.split(" ", 1)[0] in names:
            found.add(Path(os.path.realpath(target.strip())).parent)
    return found
