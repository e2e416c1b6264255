"""The clean environment every sandboxed command starts from, with `python` = autoexp's own."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin")
"""Directories searched after the interpreter's own."""

PYTHON_NAMES = ("python", "python3")
"""Names that must run the interpreter autoexp runs under."""


def python_dir_has_python() -> bool:
    """Whether `python` and `python3` next to sys.executable are sys.executable (true in venvs,
    conda, pyenv; false for a bare /usr/bin/python3 with no `python`)."""
    here = os.path.dirname(sys.executable)
    for name in PYTHON_NAMES:
        path = os.path.join(here, name)
        try:
            if not os.path.samefile(path, sys.executable):
                return False
        except OSError:
            return False
    return True


def sandbox_env(
    home: str,
    extra: Mapping[str, str] | None = None,
    *,
    shim_dir: str | None = None,
    python_dir: str | os.PathLike[str] | None = None,
) -> dict[str, str]:
    """PATH with autoexp's interpreter first (after `shim_dir`, a directory of `python` links to
    it, when given; `python_dir` instead: a task environment's bin directory), HOME, a UTF-8
    locale, single-threaded BLAS, a fixed hash seed, no bytecode files and unbuffered Python
    output (so a command killed by its timeout still leaves what it printed); `extra` is
    applied last and wins."""
    python = os.fspath(python_dir) if python_dir else os.path.dirname(sys.executable)
    path = [*([shim_dir] if shim_dir and not python_dir else []), python]
    path += [d for d in SYSTEM_PATH if d != python]
    env = {
        "PATH": ":".join(path),
        "HOME": home,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.update(extra or {})
    return env
