"""Issue 15, item 4: a sandbox shows only the GPUs assigned to it. The bind computation runs on
a temporary directory standing in for /dev (this machine has no GPU); real bubblewrap runs
check what a command sees with no GPU and with an assignment."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from autoexp.sandbox import BwrapSandbox, SandboxConfig, SubprocessSandbox, probe_bwrap
from autoexp.sandbox._bwrap import find_bwrap
from autoexp.sandbox._gpu import (
    CONTROL_NODES,
    CUDA_CACHE_PATH,
    gpu_device_binds,
    gpu_env,
    gpu_library_dirs,
    gpu_uuids,
    lib_dirs_in,
)

SHOW = (
    'echo "cuda=[${CUDA_VISIBLE_DEVICES-unset}] nvidia=[${NVIDIA_VISIBLE_DEVICES-unset}]"; '
    'echo "nodes=[$(ls /dev | grep nvidia | tr "\\n" " ")]"; echo "as=$(ulimit -v)"'
)


@pytest.fixture
def dev(tmp_path: Path) -> Path:
    d = tmp_path / "dev"
    d.mkdir()
    for name in ("nvidia0", "nvidia1", "nvidia2", "nvidiactl", "nvidia-uvm", "null"):
        (d / name).touch()
    return d


def test_binds_only_the_assigned_nodes_and_the_control_nodes_that_exist(dev):
    args = gpu_device_binds([2, 0], dev)
    pairs = list(zip(args[1::3], args[2::3], strict=True))
    assert args[::3] == ["--dev-bind"] * len(pairs)
    assert pairs == [
        (str(dev / "nvidia0"), "/dev/nvidia0"),
        (str(dev / "nvidia2"), "/dev/nvidia2"),
        (str(dev / "nvidiactl"), "/dev/nvidiactl"),
        (str(dev / "nvidia-uvm"), "/dev/nvidia-uvm"),
    ]  # not nvidia1; nvidia-uvm-tools and nvidia-modeset do not exist here
    assert set(CONTROL_NODES) >= {"nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset"}
    assert gpu_device_binds([], dev) == []
    assert gpu_device_binds([7], dev) == [
        a for n in ("nvidiactl", "nvidia-uvm") for a in ("--dev-bind", str(dev / n), f"/dev/{n}")
    ]  # an assigned GPU without a node is not invented


def test_visible_devices_by_uuid_when_the_driver_lists_them(tmp_path):
    gpus = tmp_path / "driver" / "nvidia" / "gpus"
    for bus, minor, uuid in (("0000:01:00.0", 0, "GPU-aaaa-1111"), ("0000:02:00.0", 1, None)):
        (gpus / bus).mkdir(parents=True)
        lines = ["Model: \t\t Fake", f"Device Minor: \t {minor}"]
        lines += [f"GPU UUID: \t {uuid}"] if uuid else []
        (gpus / bus / "information").write_text("\n".join(lines) + "\n")
    uuids = gpu_uuids(tmp_path)
    assert uuids == {0: "GPU-aaaa-1111"}
    assert gpu_env([0], uuids)["CUDA_VISIBLE_DEVICES"] == "GPU-aaaa-1111"
    assert gpu_env([1, 0], uuids) == {
        "CUDA_VISIBLE_DEVICES": "0,1",
        "NVIDIA_VISIBLE_DEVICES": "0,1",
        "CUDA_CACHE_PATH": CUDA_CACHE_PATH,  # the JIT cache stays out of the workspace
    }
    assert gpu_env([]) == {"CUDA_VISIBLE_DEVICES": "", "NVIDIA_VISIBLE_DEVICES": ""}


def test_driver_library_dirs_from_the_loader_cache():
    listing = (
        "3 libs found in cache `/etc/ld.so.cache'\n"
        "\tlibcuda.so.1 (libc6,x86-64) => /opt/nvidia/lib/libcuda.so.1\n"
        "\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda/lib/libcudart.so.13\n"
        "\tlibnvidia-ptxjitcompiler.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/x.so.1\n"
    )
    assert lib_dirs_in(listing) == {Path("/opt/nvidia/lib"), Path("/usr/lib/x86_64-linux-gnu")}
    assert gpu_library_dirs([]) == []


@pytest.fixture(scope="module")
def bwrap_ok() -> None:
    problem = probe_bwrap()
    assert problem is None, problem  # bubblewrap works on this machine: a failure here is real


def _show(sandbox, ws: Path, env: dict | None = None) -> str:
    res = sandbox.run(SHOW, ws, timeout_s=30, env=env)
    assert res.ok, res.stderr
    return res.stdout


def test_no_gpu_assigned_shows_no_gpu(bwrap_ok, tmp_path):
    out = _show(BwrapSandbox(SandboxConfig()), tmp_path, env={"CUDA_VISIBLE_DEVICES": "0"})
    assert "cuda=[] nvidia=[]" in out  # set, empty, and the caller cannot widen it
    assert "nodes=[]" in out
    assert "as=4194304" in out  # the address-space limit stays


def test_an_assignment_is_named_in_the_environment(bwrap_ok, tmp_path):
    out = _show(BwrapSandbox(SandboxConfig(gpus=[0])), tmp_path)
    assert "cuda=[0] nvidia=[0]" in out  # no driver here, so no UUID: the index
    assert "nodes=[]" in out  # this machine has no /dev/nvidia0 to bind
    assert "as=unlimited" in out  # CUDA cannot initialise under a small RLIMIT_AS


def test_bubblewrap_accepts_the_binds(bwrap_ok, dev, tmp_path):
    """The computed arguments work in a real bwrap after its fresh /dev: stand-in nodes (plain
    files) appear at /dev/nvidiaN, the unassigned one does not."""
    argv = [find_bwrap(), "--ro-bind", "/", "/", "--dev", "/dev", *gpu_device_binds([1], dev)]
    argv += ["--unshare-pid", "--die-with-parent", "ls", "/dev"]
    listing = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
    names = {n for n in listing.stdout.split() if n.startswith("nvidia")}
    assert names == {"nvidia1", "nvidiactl", "nvidia-uvm"}


def test_the_plain_subprocess_backend_sets_the_variables_too(tmp_path):
    out = _show(SubprocessSandbox(SandboxConfig()), tmp_path)
    assert "cuda=[] nvidia=[]" in out
    out = _show(SubprocessSandbox(SandboxConfig(gpus=[3, 1])), tmp_path)
    assert "cuda=[1,3] nvidia=[1,3]" in out
