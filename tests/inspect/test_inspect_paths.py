"""The sandbox's path rules: what a solver may name, and what a symlink may not lead to."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from autoexp.inspect._paths import host_path, inner_relative


@pytest.mark.parametrize(
    ("given", "inside"),
    [
        ("/workspace", "."),
        ("/workspace/", "."),
        ("/workspace/a/b.py", "a/b.py"),
        ("a/./b/../c.txt", "a/c.txt"),
        ("", "."),
        ("./x", "x"),
    ],
)
def test_paths_inside_the_workspace(given, inside):
    assert inner_relative(given) == PurePosixPath(inside)


@pytest.mark.parametrize(
    "given",
    ["/etc/passwd", "/", "/workspace2/x", "..", "../x", "a/../../x", "/workspace/../x", "a\x00b"],
)
def test_paths_outside_are_refused(given):
    with pytest.raises(PermissionError):
        inner_relative(given)


def test_symlinks_may_not_lead_out(tmp_path):
    ws = tmp_path / "workspace"
    (ws / "d").mkdir(parents=True)
    (tmp_path / "secret").write_text("s")
    os.symlink(tmp_path / "secret", ws / "out-file")
    os.symlink(tmp_path, ws / "out-dir")
    os.symlink("d", ws / "in-dir")
    with pytest.raises(PermissionError, match="leads outside"):
        host_path(ws, "out-file")
    with pytest.raises(PermissionError, match="leads outside"):
        host_path(ws, "/workspace/out-dir/secret")
    assert host_path(ws, "in-dir/new.txt") == (ws / "d" / "new.txt").resolve()
    assert host_path(ws, "/workspace") == ws.resolve()


def test_importing_autoexp_does_not_load_inspect():
    code = "import sys, autoexp, autoexp.cli; print('inspect_ai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_entry_point_is_registered():
    from importlib.metadata import entry_points

    eps = {ep.name: ep.value for ep in entry_points(group="inspect_ai")}
    assert eps.get("autoexp") == "autoexp.inspect._registry"
    assert Path(__file__).is_file()
