"""SubprocessSandbox: the no-isolation fallback still gives the same run() contract."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from autoexp.errors import SandboxError
from autoexp.sandbox import Isolation, SandboxConfig, SubprocessSandbox

from conftest import alive


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


def test_runs_in_the_workspace_with_the_clean_env(workspace, monkeypatch):
    monkeypatch.setenv("AUTOEXP_HOST_ONLY", "leak")
    sb = SubprocessSandbox()
    assert sb.isolation is Isolation.NONE
    cmd = 'pwd; echo "$HOME|$FOO|$PYTHONHASHSEED|${AUTOEXP_HOST_ONLY:-unset}"; python -c "import sys; print(sys.executable)"; echo out > f.txt; exit 4'
    res = sb.run(cmd, workspace, timeout_s=30, env={"FOO": "bar"})
    assert res.exit_code == 4 and res.stderr == ""
    assert res.stdout.splitlines() == [
        str(workspace.resolve()),
        f"{workspace.resolve()}|bar|0|unset",
        sys.executable,
    ]
    assert (workspace / "f.txt").read_text() == "out\n"


def test_timeout_kills_children_even_in_another_session(workspace):
    mark = "31337.25"  # a unique sleep length, to find the children in /proc
    cmd = f"sleep {mark} & setsid bash -c 'sleep {mark}' & sleep 60"
    res = SubprocessSandbox().run(cmd, workspace, timeout_s=0.5)
    assert res.timed_out and res.exit_code is None
    assert not alive(mark)  # the background child and the one in another session are gone


def test_output_cap_and_file_size_limit(workspace):
    sb = SubprocessSandbox(SandboxConfig(output_cap_bytes=100, file_size_mb=1))
    res = sb.run("seq 1 100000; head -c 3000000 /dev/zero > big.bin", workspace, timeout_s=30)
    assert res.truncated and res.stdout.endswith("99999\n100000\n")
    assert "bytes dropped]" in res.stdout and len(res.stdout) < 200
    assert res.exit_code not in (0, None)
    assert (workspace / "big.bin").stat().st_size <= 1 << 20


def test_memory_limit(workspace):
    sb = SubprocessSandbox(SandboxConfig(memory_mb=512))
    res = sb.run('python -c "bytearray(1024**3)"', workspace, timeout_s=30)
    assert res.exit_code == 1 and "MemoryError" in res.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root is exempt from RLIMIT_NPROC")
def test_process_cap_as_a_normal_user(workspace):
    sb = SubprocessSandbox(SandboxConfig(max_procs=16))
    code = (
        "import subprocess\nn = 0\nps = []\n"
        "for _ in range(66):\n"
        "    try:\n        ps.append(subprocess.Popen(['sleep', '3'])); n += 1\n"
        "    except OSError:\n        pass\nprint(n)"
    )
    res = sb.run(f"python -c {code!r}", workspace, timeout_s=30)
    assert int(res.stdout) < 16


def test_missing_workspace_is_an_error(tmp_path):
    with pytest.raises(SandboxError):
        SubprocessSandbox().run("true", tmp_path / "nope", timeout_s=5)
