"""A virtual environment inside a hidden tree (the usual `.venv` inside the project checkout)
stays usable inside the sandbox, while the rest of that tree stays hidden."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

PROBE = r"""
import sys
from pathlib import Path
from autoexp.sandbox import BwrapSandbox, SandboxConfig
checkout = Path(sys.argv[1])
ws = checkout.parent / "ws"
ws.mkdir()
box = BwrapSandbox(SandboxConfig(hide=[checkout]))
res = box.run(
    "python -c 'import sys, numpy; print(sys.prefix)'; cat %s/gold.txt; ls -a %s" % (checkout, checkout),
    ws, timeout_s=60)
print(res.stdout)
print(res.stderr, file=sys.stderr)
"""


@pytest.fixture
def checkout():
    root = Path(tempfile.mkdtemp(prefix="autoexp-venv-test-"))
    root.chmod(0o755)
    yield root / "project"
    shutil.rmtree(root, ignore_errors=True)


def test_venv_inside_hidden_checkout_keeps_python(checkout):
    checkout.mkdir()
    (checkout / ".git").mkdir()
    (checkout / "gold.txt").write_text("GOLD 0.93\n")
    venv = checkout / ".venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
    )
    # A venv made from a venv does not see its parent's packages (autoexp, numpy): chain them.
    site = next((venv / "lib").glob("python*/site-packages"))
    parent = sysconfig.get_paths()["purelib"]
    (site / "_parent.pth").write_text(f"import site; site.addsitedir({parent!r})\n")
    subprocess.run(["chmod", "-R", "a+rX", str(checkout.parent)], check=True)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", PROBE, str(checkout)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == str(venv), proc.stdout + proc.stderr  # python of the venv, with numpy
    assert "GOLD" not in proc.stdout
    assert "No such file" in proc.stderr  # gold.txt is not there at all
    assert ".git" not in proc.stdout  # only the venv of the checkout is visible
