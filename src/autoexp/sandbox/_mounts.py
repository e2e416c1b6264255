"""The filesystem a bubblewrap sandbox sees: an allow-list of read-only trees, minus what is hidden.

Visible: the system directories, the Python installation autoexp runs under (so the same
`python`, with the same numpy / scipy / scikit-learn, works inside), `extra_ro`, and the
workspace read-write at /workspace. Hidden: `hide` and autoexp's own package (the built-in
tasks' original code and numbers), and for an editable install the whole project checkout.
A hidden path is simply not mounted; when it lies inside a mounted tree (site-packages/autoexp)
an empty read-only tmpfs (or /dev/null for a file) is mounted over it.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from autoexp.sandbox._types import SandboxConfig

WORKSPACE = Path("/workspace")
"""Where the workspace appears inside the sandbox."""

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc")
"""System trees mounted read-only (those that exist; symlinks such as /bin -> usr/bin kept)."""

_OWN = ("/", "/proc", "/dev", "/tmp", str(WORKSPACE))
"""Mount points the plan creates itself; never bound from the host."""


def package_dir() -> Path:
    """autoexp's package directory (symlinks resolved), found from this module's own file: the
    sandbox imports nothing of autoexp above it."""
    return Path(__file__).resolve().parent.parent


def package_dirs() -> list[Path]:
    """autoexp's package directory and, for an editable install, the project checkout."""
    pkg = package_dir()
    root = project_root(pkg)
    return [pkg] if root is None else [pkg, root]


def project_root(pkg: Path) -> Path | None:
    """The checkout holding `pkg` (first ancestor with .git or pyproject.toml), None when `pkg`
    is an installed copy in site-packages."""
    if any(part in ("site-packages", "dist-packages") for part in pkg.parts):
        return None
    for parent in pkg.parents:
        if parent == Path(parent.anchor):
            break
        if (parent / ".git").exists() or (parent / "pyproject.toml").is_file():
            return parent
    return None


def python_dirs() -> list[Path]:
    """The interpreter's prefixes and its import path, without the script's own directory
    (sys.path[0]) or the current directory, which may be anything (a task checkout)."""
    cwd = os.getcwd()
    dirs = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    dirs += [p for p in sys.path[1:] if p and os.path.abspath(p) != cwd]
    return [Path(os.path.abspath(d)) for d in dirs]


def hidden_paths(config: SandboxConfig) -> list[Path]:
    """Everything that must not be visible: `config.hide` plus autoexp's own files."""
    return [Path(os.path.abspath(p)) for p in (*config.hide, *package_dirs())]


@dataclass
class _Plan:
    binds: list[Path] = field(default_factory=list)
    """Real (symlink-free) host paths, each bound read-only at the same path."""
    links: dict[Path, Path] = field(default_factory=dict)
    """Symlink path -> absolute target, recreated inside."""


def _first_link(path: Path) -> Path | None:
    """The first component of `path` (from the root) that is a symlink on the host."""
    current = Path(path.anchor)
    for part in path.parts[1:]:
        current = current / part
        if current.is_symlink():
            return current
    return None


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    """Whether `path` is one of `roots` or lies below one."""
    return any(path.is_relative_to(r) for r in roots)


def venv_exemptions(hidden_real: list[Path], strict_real: list[Path]) -> list[Path]:
    """Python prefixes (a virtual environment) that lie inside a hidden tree, typically a
    `.venv` inside the project checkout: they stay visible, or `python` would vanish. Never a
    prefix that contains a strictly hidden path (autoexp's package, `config.hide`)."""
    out = []
    for d in {sys.prefix, sys.exec_prefix}:
        real = Path(os.path.realpath(d))
        if _inside(real, hidden_real) and not any(h.is_relative_to(real) for h in strict_real):
            out.append(real)
    return out


def _collect(
    candidates: list[Path],
    hidden_real: list[Path],
    required: list[Path],
    exempt: Iterable[Path] = (),
) -> _Plan:
    """Binds and symlinks for `candidates`; missing ones are skipped unless `required` (then
    bwrap fails on them: a mount that was asked for and is gone is an infra error). A path
    inside a hidden tree is left out unless it lies in an `exempt` tree (see venv_exemptions)."""
    plan = _Plan()
    queue = list(candidates)
    seen: set[Path] = set()
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        if not os.path.lexists(path):
            if path in required:
                plan.binds.append(path)
            continue
        seen.add(path)
        link = _first_link(path)
        if link is not None:
            target = Path(os.path.realpath(link))
            plan.links.setdefault(link, target)
            queue.append(target / path.relative_to(link))
        elif not _inside(path, hidden_real) or _inside(path, exempt):
            plan.binds.append(path)
    kept: list[Path] = []
    for path in sorted(set(plan.binds), key=lambda p: (len(p.parts), str(p))):
        if not _inside(path, kept) and str(path) not in _OWN:
            kept.append(path)
    plan.binds = kept
    plan.links = {
        link: target
        for link, target in sorted(plan.links.items())
        if not _inside(link, kept)
        and not _inside(link, hidden_real)
        and not any(link != other and link.is_relative_to(other) for other in plan.links)
        and str(link) not in _OWN
    }
    return plan


def filesystem_args(
    config: SandboxConfig, workspace: Path, *, network: bool, tmp_size_mb: int
) -> list[str]:
    """bwrap arguments that build the sandbox's filesystem (mount namespace) from scratch."""
    hidden_real = [Path(os.path.realpath(p)) for p in hidden_paths(config)]
    pkg = package_dir()
    strict_real = [Path(os.path.realpath(p)) for p in config.hide] + [pkg]
    exempt = venv_exemptions(hidden_real, strict_real)
    candidates = [Path(d) for d in SYSTEM_DIRS] + python_dirs()
    extra = [Path(os.path.abspath(p)) for p in config.extra_ro]
    candidates += extra
    if network:  # often a symlink out of /etc (systemd-resolved)
        candidates.append(Path("/etc/resolv.conf"))
    args, binds = _system_args(
        tuple(candidates), tuple(hidden_real), tuple(extra), tuple(exempt), tmp_size_mb
    )
    args = list(args)
    real_ws = Path(os.path.realpath(workspace))
    args += ["--bind", str(real_ws), str(WORKSPACE)]
    for inner, host in sorted(config.extra_rw.items()):
        for parent in reversed(Path(inner).parents[:-1]):  # reachable by an unprivileged uid
            args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--bind", os.path.realpath(host), inner]
    for h in sorted(set(hidden_real)):
        if not h.exists() or h == real_ws:  # asked to run in it: the workspace wins
            continue
        if _inside(h, [real_ws]):
            dest = WORKSPACE / h.relative_to(real_ws)
        elif any(h != b and h.is_relative_to(b) for b in binds):
            dest = h
        else:
            continue  # not mounted at all
        if h.is_dir():
            args += ["--perms", "0555", "--tmpfs", str(dest), "--remount-ro", str(dest)]
        else:
            args += ["--ro-bind", "/dev/null", str(dest)]
    return args


@functools.lru_cache(maxsize=64)
def _system_args(
    candidates: tuple[Path, ...],
    hidden_real: tuple[Path, ...],
    required: tuple[Path, ...],
    exempt: tuple[Path, ...],
    tmp_size_mb: int,
) -> tuple[tuple[str, ...], tuple[Path, ...]]:
    """The arguments before the workspace (/proc, /dev, tmpfs, read-only binds, symlinks) and
    the bound paths. Walking the candidates' symlinks costs a few milliseconds, and every
    command of a run asks for the same plan, so it is computed once per set of inputs."""
    plan = _collect(list(candidates), list(hidden_real), list(required), exempt)
    size = str(tmp_size_mb << 20)  # tmpfs lives in RAM, outside RLIMIT_AS: bound it too
    args = ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", size, "--tmpfs", "/dev/shm"]
    args += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
    synthetic: set[Path] = set()
    for path in [*plan.binds, *plan.links]:
        for parent in path.parents:
            if str(parent) not in _OWN and not _inside(parent, plan.binds):
                synthetic.add(parent)
    for d in sorted(synthetic, key=lambda p: (len(p.parts), str(p))):
        args += ["--perms", "0755", "--dir", str(d)]
    for path in plan.binds:
        args += ["--ro-bind", str(path), str(path)]
    for link, target in plan.links.items():
        args += ["--symlink", str(target), str(link)]
    return tuple(args), tuple(plan.binds)
