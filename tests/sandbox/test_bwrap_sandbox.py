"""BwrapSandbox against real bubblewrap and real processes: what a command inside can and cannot do."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
from pathlib import Path

import pytest

import autoexp
from autoexp.errors import SandboxError
from autoexp.sandbox import (
    SANDBOX_UID,
    BwrapSandbox,
    ExecResult,
    Isolation,
    SandboxConfig,
    probe_bwrap,
)
from autoexp.sandbox._mounts import project_root

from conftest import alive


@pytest.fixture(scope="module")
def sandbox() -> BwrapSandbox:
    problem = probe_bwrap()
    assert problem is None, problem  # bubblewrap works on this machine: a failure here is real
    return BwrapSandbox(SandboxConfig())


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "given.txt").write_text("from the host\n")
    return ws


def run(sb: BwrapSandbox, command: str, ws: Path, **kw) -> ExecResult:
    kw.setdefault("timeout_s", 30)
    return sb.run(command, ws, **kw)


def py(code: str) -> str:
    """A shell command running `code` with the sandbox's python."""
    return "python - <<'EOF'\n" + code + "\nEOF"


def test_isolation_and_basic_run(sandbox, workspace):
    assert sandbox.isolation is Isolation.BUBBLEWRAP
    res = run(sandbox, "cat given.txt; pwd; echo oops >&2; exit 7", workspace)
    assert res.exit_code == 7 and not res.ok and not res.timed_out
    assert res.stdout == "from the host\n/workspace\n"
    assert res.stderr == "oops\n"  # the launcher's start marker is not part of the output
    assert res.duration_s > 0


def test_exit_codes_and_signals_propagate(sandbox, workspace):
    assert run(sandbox, "true", workspace).ok
    assert run(sandbox, "exit 3", workspace).exit_code == 3
    assert run(sandbox, "kill -TERM $$", workspace).exit_code == 128 + 15


def test_env_is_clean_and_extra_vars_pass(sandbox, workspace, monkeypatch):
    monkeypatch.setenv("AUTOEXP_HOST_ONLY", "leak")
    code = (
        "import os, sys\n"
        "print(sys.executable)\n"
        "for k in ('HOME', 'FOO', 'PYTHONHASHSEED', 'OMP_NUM_THREADS', 'LANG', 'AUTOEXP_HOST_ONLY'):\n"
        "    print(k, os.environ.get(k))\n"
        "print(os.environ['PATH'].split(':')[0])"
    )
    res = run(sandbox, py(code), workspace, env={"FOO": "bar baz", "OMP_NUM_THREADS": "2"})
    assert res.ok, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == sys.executable  # `python` inside is the interpreter autoexp runs under
    assert lines[1:7] == [
        "HOME /workspace",
        "FOO bar baz",
        "PYTHONHASHSEED 0",
        "OMP_NUM_THREADS 2",  # extra env wins over the defaults
        "LANG C.UTF-8",
        "AUTOEXP_HOST_ONLY None",
    ]
    assert lines[7] == os.path.dirname(sys.executable)


def test_scientific_python_works_inside(sandbox, workspace):
    res = run(
        sandbox, 'python -c "import numpy, scipy, sklearn; print(numpy.ones(3).sum())"', workspace
    )
    assert res.ok, res.stderr
    assert res.stdout.strip() == "3.0"


def test_workspace_is_writable_and_changes_reach_the_host(sandbox, workspace):
    res = run(
        sandbox,
        "mkdir -p out && echo result > out/r.txt && echo more >> given.txt && rm -f gone",
        workspace,
    )
    assert res.ok, res.stderr
    assert (workspace / "out" / "r.txt").read_text() == "result\n"
    assert (workspace / "given.txt").read_text() == "from the host\nmore\n"
    if os.geteuid() == 0:  # commands ran as nobody; root still owns everything in practice
        assert (workspace / "out" / "r.txt").stat().st_uid == SANDBOX_UID
    # a file the host adds later (as root) is writable by the next command
    (workspace / "later.txt").write_text("x")
    assert run(sandbox, "echo y >> later.txt", workspace).ok
    assert (workspace / "later.txt").read_text() == "xy\n"
    # links planted inside point at host files; handing the workspace over must not follow them
    assert run(sandbox, "ln -s /etc/passwd pw && ln -s /etc etc-dir", workspace).ok
    assert run(sandbox, "true", workspace).ok
    assert Path("/etc/passwd").stat().st_uid == 0 and Path("/etc").stat().st_uid == 0


def test_writes_outside_the_workspace_fail(sandbox, workspace, tmp_path):
    host_tmp_file = Path("/tmp") / f"autoexp-sandbox-test-{os.getpid()}"
    host_tmp_file.write_text("host")
    try:
        cmd = (
            "for p in /usr/autoexp-x /etc/autoexp-x /autoexp-x /root/autoexp-x; do "
            "  touch $p 2>/dev/null && echo WROTE $p; done; "
            f"test -e {host_tmp_file} && echo SEES_HOST_TMP; "
            "echo inside > /tmp/t && cat /tmp/t"
        )
        res = run(sandbox, cmd, workspace)
        assert res.ok, res.stderr
        assert "WROTE" not in res.stdout and "SEES_HOST_TMP" not in res.stdout
        assert res.stdout.strip() == "inside"  # a private, writable /tmp
        assert not Path("/usr/autoexp-x").exists() and not Path("/etc/autoexp-x").exists()
    finally:
        host_tmp_file.unlink()


def test_hidden_paths_are_not_visible(workspace, tmp_path):
    secret = tmp_path / "gold"
    secret.mkdir()
    (secret / "answer.json").write_text('{"acc": 0.93}')
    tree = tmp_path / "tree"  # a tree mounted read-only with a hidden dir and file inside it
    (tree / "private").mkdir(parents=True)
    (tree / "private" / "key.txt").write_text("secret key")
    (tree / "notes.txt").write_text("secret notes")
    (tree / "public.txt").write_text("public\n")
    for p in (tmp_path, tree, tree / "private"):
        p.chmod(0o755)  # readable by the sandbox's uid, as extra_ro must be
    config = SandboxConfig(hide=[secret, tree / "private", tree / "notes.txt"], extra_ro=[tree])
    sb = BwrapSandbox(config)
    cmd = (
        f"cat {secret}/answer.json; ls {secret}; "
        f"cat {tree}/public.txt; ls -A {tree}/private; cat {tree}/private/key.txt; "
        f"cat {tree}/notes.txt || echo NOTES_UNREADABLE"
    )
    res = run(sb, cmd, workspace)
    assert "0.93" not in res.stdout and "secret" not in res.stdout
    assert "public" in res.stdout
    assert res.stdout.split()[-1] == "NOTES_UNREADABLE"  # /dev/null (nodev) over the file
    assert "No such file" in res.stderr


def test_autoexp_package_and_builtin_tasks_are_not_visible(sandbox, workspace):
    pkg = Path(autoexp.__file__).resolve().parent
    builtin = pkg / "tasks" / "builtin"
    assert builtin.is_dir()  # the original code and numbers the agent must never see
    code = (
        f"import os\n"
        f"for p in [{str(pkg)!r}, {str(builtin)!r}, {str(pkg / '__init__.py')!r}]:\n"
        f"    print(p, os.path.exists(p))\n"
        f"try:\n    import autoexp\n    print('IMPORTED', autoexp.__file__)\n"
        f"except ImportError:\n    print('no autoexp')"
    )
    res = run(sandbox, py(code), workspace)
    assert res.ok, res.stderr
    assert "True" not in res.stdout and "IMPORTED" not in res.stdout, res.stdout
    root = project_root(pkg)
    if root is not None:  # editable install: the whole checkout (tests, .git, ...) is hidden
        res = run(sandbox, f"ls -A {root}; cat {root}/pyproject.toml", workspace)
        assert res.exit_code != 0 and "No such file" in res.stderr
        # all that may show is the virtual environment python runs from (a `.venv` inside the
        # checkout, as in CI); see test_venv_in_checkout.py
        venv = Path(sys.prefix).resolve()
        allowed = {venv.relative_to(root).parts[0]} if venv.is_relative_to(root) else set()
        assert set(res.stdout.split()) <= allowed, res.stdout


def test_no_file_descriptor_leaks_into_the_sandbox(sandbox, workspace):
    res = run(sandbox, py("import os; print(sorted(os.listdir('/proc/self/fd')))"), workspace)
    assert res.stdout.strip() == "['0', '1', '2', '3']"  # 3 is listdir's own


@pytest.fixture
def host_server():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    yield srv.getsockname()[1]
    srv.close()


def test_network_is_off_by_default(sandbox, workspace, host_server):
    code = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {host_server}), timeout=3); print('CONNECTED')\n"
        "except OSError as e:\n    print('refused', e)\n"
        "try:\n"
        "    socket.getaddrinfo('example.com', 80); print('RESOLVED')\n"
        "except OSError as e:\n    print('no dns', e)"
    )
    res = run(sandbox, py(code), workspace)
    assert res.ok, res.stderr
    assert "CONNECTED" not in res.stdout and "RESOLVED" not in res.stdout, res.stdout
    # the same connection works when the network is shared: the test above proves something
    res = run(sandbox, py(code), workspace, network=True)
    assert "CONNECTED" in res.stdout, res.stdout + res.stderr


def test_timeout_kills_the_whole_tree(sandbox, workspace):
    mark = "31337.75"  # a unique sleep length, to find the children in the host's /proc
    cmd = (
        f"sleep {mark} & "
        f"setsid bash -c 'sleep {mark}' & "
        f"nohup bash -c 'trap \"\" TERM HUP; sleep {mark}' >/dev/null 2>&1 & "
        "echo started; sleep 60"
    )
    res = run(sandbox, cmd, workspace, timeout_s=0.5)
    assert res.timed_out and res.exit_code is None and not res.ok
    assert res.stdout == "started\n"  # output before the kill is kept
    assert not alive(mark)  # background, other-session and TERM-ignoring children are gone


def test_background_jobs_die_with_the_command(sandbox, workspace):
    mark = "31337.5"  # a unique sleep length, to find the job in the host's /proc
    res = run(sandbox, f"(sleep {mark}; echo late > late.txt) & echo done", workspace)
    assert res.ok and res.stdout == "done\n"  # returned without waiting for the job
    assert not alive(mark)  # the job was killed when the command ended
    assert not (workspace / "late.txt").exists()


def test_output_is_capped_without_blocking(workspace):
    sb = BwrapSandbox(SandboxConfig(output_cap_bytes=1000))
    cmd = (
        "head -c 50000000 /dev/zero | tr '\\0' x; echo; echo LAST-LINE; head -c 3000 /dev/zero >&2"
    )
    res = run(sb, cmd, workspace)
    assert res.ok and not res.timed_out  # a blocked pipe would have hit the 30 s timeout
    assert res.truncated
    assert res.stdout.startswith("x" * 500)
    assert res.stdout.endswith("LAST-LINE\n")  # the tail is kept: metrics are on the last line
    assert "[autoexp: output truncated, 49999011 bytes dropped]" in res.stdout
    assert len(res.stdout) < 1100 and len(res.stderr) < 1100
    small = run(sb, "echo hi", workspace)
    assert small.stdout == "hi\n" and not small.truncated


def test_memory_limit_makes_a_big_allocation_fail(workspace):
    sb = BwrapSandbox(SandboxConfig(memory_mb=512))
    res = run(
        sb, py("import numpy\nx = numpy.ones(1024**3 // 8)  # 1 GiB\nprint('ALLOCATED')"), workspace
    )
    assert res.exit_code not in (0, None) and "ALLOCATED" not in res.stdout
    assert "MemoryError" in res.stderr
    assert run(sb, py("import numpy\nx = numpy.ones(10**6)\nprint(x.sum())"), workspace).ok


def test_file_size_limit(workspace):
    sb = BwrapSandbox(SandboxConfig(file_size_mb=1))
    res = run(sb, "head -c 3000000 /dev/zero > big.bin", workspace)
    assert res.exit_code not in (0, None)
    assert (workspace / "big.bin").stat().st_size <= 1 << 20
    assert run(sb, "head -c 500000 /dev/zero > ok.bin", workspace).ok


SPAWN = """
import subprocess, sys
n = 0
procs = []
for _ in range({tries}):
    try:
        procs.append(subprocess.Popen(["sleep", "5"]))
        n += 1
    except OSError:
        pass
print(n)
"""


def test_process_cap_stops_a_fork_loop(workspace):
    sb = BwrapSandbox(SandboxConfig(max_procs=32))
    res = run(sb, py(SPAWN.format(tries=32 + 50)), workspace)
    assert res.ok, res.stderr
    started = int(res.stdout)
    assert 20 < started < 32  # the launcher's bash and python count too


def test_process_cap_is_per_sandbox(workspace, tmp_path):
    sb = BwrapSandbox(SandboxConfig(max_procs=32))
    if not sb.per_sandbox_process_cap:
        pytest.skip("user namespaces are restricted here: the process cap is shared")
    other = tmp_path / "ws2"
    other.mkdir()
    results: list[ExecResult] = []
    # spawn, report when done, then hold the processes for 2 s
    cmd = py(SPAWN.format(tries=40) + "import time; print(time.time()); time.sleep(2)")
    threads = [
        threading.Thread(target=lambda w=w: results.append(run(sb, cmd, w)))
        for w in (workspace, other)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (n1, t1), (n2, t2) = (map(float, r.stdout.split()) for r in results)
    assert abs(t1 - t2) < 1.5  # each spawned while the other held its processes
    # same uid, same time, yet each sandbox starts ~30 (a shared cap would allow 32 in all)
    assert 20 < n1 < 32 and 20 < n2 < 32, (n1, n2)


def test_bwrap_failure_is_an_infra_error_not_a_command_failure(workspace, tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    sb = BwrapSandbox(SandboxConfig(extra_ro=[gone]))
    shutil.rmtree(gone)  # bwrap cannot mount it any more
    with pytest.raises(SandboxError, match="bwrap"):
        run(sb, "true", workspace)
    # a command that merely looks like a bwrap failure is the command's own
    res = run(BwrapSandbox(), "echo 'bwrap: Can not mount' >&2; exit 1", workspace)
    assert res.exit_code == 1 and res.stderr.startswith("bwrap: ")


def test_missing_workspace_and_extra_ro_are_errors(tmp_path):
    with pytest.raises(SandboxError):
        BwrapSandbox(SandboxConfig(extra_ro=[tmp_path / "nope"]))
    with pytest.raises(SandboxError):
        BwrapSandbox().run("true", tmp_path / "nope", timeout_s=5)
