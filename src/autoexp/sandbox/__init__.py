"""Sandboxes that run agents' and experiments' commands: bubblewrap, or a plain subprocess.

Every command goes through `Sandbox.run(command, workspace, timeout_s=..., env=..., network=...)`
(the protocol is in `autoexp.protocols`); `make_sandbox` picks the backend.
"""

from autoexp.sandbox._bwrap import SANDBOX_UID, BwrapSandbox, probe_bwrap
from autoexp.sandbox._factory import BACKENDS, NoIsolationWarning, make_sandbox
from autoexp.sandbox._gpu import gpu_device_binds, gpu_env
from autoexp.sandbox._mounts import WORKSPACE
from autoexp.sandbox._output import truncation_note
from autoexp.sandbox._subprocess import SubprocessSandbox
from autoexp.sandbox._types import ExecResult, Isolation, SandboxConfig

__all__ = [
    "BACKENDS",
    "SANDBOX_UID",
    "WORKSPACE",
    "BwrapSandbox",
    "ExecResult",
    "Isolation",
    "NoIsolationWarning",
    "SandboxConfig",
    "SubprocessSandbox",
    "gpu_device_binds",
    "gpu_env",
    "make_sandbox",
    "probe_bwrap",
    "truncation_note",
]
