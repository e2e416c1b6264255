"""Choosing a backend."""

from __future__ import annotations

import warnings

from rich.console import Console
from rich.markup import escape

from autoexp.errors import SandboxError
from autoexp.protocols import Sandbox
from autoexp.sandbox._bwrap import BwrapSandbox, probe_bwrap
from autoexp.sandbox._subprocess import SubprocessSandbox
from autoexp.sandbox._types import SandboxConfig

BACKENDS = ("auto", "bwrap", "none")
"""Accepted values of `make_sandbox(backend=...)`."""


class NoIsolationWarning(RuntimeWarning):
    """Commands will run without any sandbox."""


def make_sandbox(config: SandboxConfig | None = None, backend: str = "auto") -> Sandbox:
    """A sandbox for `backend`: "bwrap" (raises SandboxError when bubblewrap cannot run here),
    "none" (plain subprocess) or "auto" (bubblewrap when it works, else a loud warning and the
    plain subprocess; the attempt then records `isolation: none`)."""
    config = config or SandboxConfig()
    if backend == "none":
        return SubprocessSandbox(config)
    if backend not in BACKENDS:
        raise ValueError(
            f"unknown sandbox backend {backend!r}; choose one of {', '.join(BACKENDS)}"
        )
    problem = probe_bwrap()
    if problem is None:
        return BwrapSandbox(config)
    if backend == "bwrap":
        raise SandboxError(problem)
    message = (
        "NO SANDBOX: commands of agents and experiments will run WITHOUT isolation "
        "(they can read the original code and numbers, use the network and change this "
        f"machine); results are recorded as isolation: none.\n{problem}"
    )
    Console(stderr=True, emoji=False).print(
        f"[bold red]WARNING[/bold red] {escape(message)}", markup=True, highlight=False
    )
    warnings.warn(message, NoIsolationWarning, stacklevel=2)
    return SubprocessSandbox(config)
