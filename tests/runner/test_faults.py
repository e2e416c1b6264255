"""Issue 11, "Faults": the runner killed at several points, a worker dying mid-attempt, the model
server disappearing mid-run and a full disk in the run dir. Real `autoexp run` subprocesses, the
real sandbox and the real store; every fault is injected at a point the test synchronises on
(a FIFO the attempt's agent blocks reading, or the rows of the store), never after a sleep."""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoexp.models import FakeServer
from autoexp.runner import SqliteStore, load_run_file

from conftest import TOY, attempts_json, autoexp

pytestmark = [pytest.mark.slow, pytest.mark.fault]

DEADLINE_S = 120.0
"""Overall bound of every wait on the run (generous: a busy 2-core machine)."""
POLL_S = 0.02
EXPECTED = {"moments": {"mean": 3.030526, "var": 3.714029}, "scaled": {"max_z": 2.062213}}
N_ATTEMPTS = 3
"""toy-stats at n=1 with every combo: three attempts per agent."""
PLAN = ["--n", "1", "--combos-per-n", "0", "--workers", "1", "--no-progress"]


class Gate:
    """A directory the sandbox sees read-only (`--sandbox-ro`) with a FIFO `gate`: the agent
    blocks reading it until the test opens it for writing and closes it. Once `open` exists in
    the directory the agent passes straight through (for --resume)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.fifo = root / "gate"
        os.mkfifo(self.fifo, 0o644)
        self.agent = root / "agent.sh"
        self.agent.write_text(
            f'#!/bin/sh\n[ -e "{root}/open" ] || cat "{self.fifo}" > /dev/null\necho gate passed\n'
        )
        self.agent.chmod(0o755)

    def args(self) -> list[str]:
        return [
            "--agent",
            "command",
            "--agent-cmd",
            str(self.agent),
            "--sandbox-ro",
            str(self.root),
        ]

    def open_for_all(self) -> None:
        (self.root / "open").touch()

    def wait_reader(self, proc: subprocess.Popen) -> int:
        """Block until an agent is reading the FIFO (an attempt is in progress); the write end,
        which holds it there until closed."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            try:
                return os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO:  # ENXIO: nobody reads it yet
                    raise
            assert proc.poll() is None, f"the run ended before the agent started: {_out(proc)}"
            assert time.monotonic() < deadline, "no attempt reached the gate"
            time.sleep(POLL_S)

    def wait_no_reader(self) -> None:
        """Block until nothing reads the FIFO (the killed attempt's agent is gone too)."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            try:
                os.close(os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError as e:
                if e.errno == errno.ENXIO:
                    return
                raise
            assert time.monotonic() < deadline, "the agent outlived its run"
            time.sleep(POLL_S)

    def reader_pid(self) -> int:
        """The pid (host namespace) of the agent's `cat` blocked on the FIFO."""
        for p in Path("/proc").iterdir():
            if p.name.isdigit():
                with contextlib.suppress(OSError):
                    argv = (p / "cmdline").read_bytes().split(b"\0")
                    if argv[:2] == [b"cat", str(self.fifo).encode()]:
                        return int(p.name)
        raise AssertionError("no process reads the gate")


@pytest.fixture
def gate() -> Iterator[Gate]:
    root = Path(tempfile.mkdtemp(prefix="autoexp-fault-"))
    root.chmod(0o755)
    try:
        yield Gate(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _out(proc: subprocess.Popen) -> str:
    logs = getattr(proc, "logs", None)
    if logs is None:
        return ""
    return "".join(p.read_text(errors="replace") for p in logs)


def start(run_dir: Path, *args: str, pipes: bool = False, **kw) -> subprocess.Popen:
    """`autoexp run ... --run-dir RUN_DIR` in the background, output to files next to it (with
    `pipes`, to pipes: output that must get out when no file can grow)."""
    out, err = run_dir.with_name("run.stdout"), run_dir.with_name("run.stderr")
    argv = [sys.executable, "-m", "autoexp.cli", "run", str(TOY), *args, "--run-dir", str(run_dir)]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    if pipes:
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kw
        )
        proc.logs = None  # type: ignore[attr-defined]
        return proc
    with out.open("w") as fo, err.open("w") as fe:
        proc = subprocess.Popen(argv, stdout=fo, stderr=fe, env=env, **kw)
    proc.logs = (out, err)  # type: ignore[attr-defined]
    return proc


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    """Wait for the run; its exit code and its stderr."""
    if proc.logs is None:  # type: ignore[attr-defined]
        _, err = proc.communicate(timeout=DEADLINE_S * 2)
        return proc.returncode, err
    rc = proc.wait(timeout=DEADLINE_S * 2)
    return rc, proc.logs[1].read_text(errors="replace")  # type: ignore[attr-defined]


def rows(run_dir: Path) -> int:
    db = run_dir / "results.sqlite"
    if not db.is_file():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=5)) as c:
            return c.execute("SELECT count(*) FROM attempts").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def wait_rows(run_dir: Path, k: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while rows(run_dir) < k:
        assert proc.poll() is None or rows(run_dir) >= k, f"run ended early: {_out(proc)}"
        assert time.monotonic() < deadline, f"the store never reached {k} rows"
        time.sleep(POLL_S)


def stored(run_dir: Path) -> dict[str, tuple[str, str, str, int]]:
    """attempt_id -> (status, reason, finished_at, retries) of every stored row."""
    with SqliteStore(run_dir / "results.sqlite") as store:
        return {
            r.attempt_id: (r.status.value, r.reason.value, r.finished_at, r.retries)
            for r in store.all()
        }


def worker_of(runner_pid: int, pid: int) -> int:
    """The runner's pool worker that `pid` descends from."""
    while True:
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        if ppid == runner_pid:
            return pid
        assert ppid > 1, f"{pid} does not descend from the runner {runner_pid}"
        pid = ppid


def assert_consistent(run_dir: Path, complete: bool) -> set[str]:
    """Store rows, attempts/ dirs and the plan agree, every row once; with `complete`, the plan
    is done and `autoexp attempts` and the report read it. Returns the stored ids."""
    planned = [s.attempt_id for s in load_run_file(run_dir).attempts]
    assert len(planned) == len(set(planned)) == N_ATTEMPTS
    if complete:  # through the CLI once the plan is done (mid-run, the store directly)
        ids = [r["attempt_id"] for r in attempts_json(run_dir)]
    else:
        with SqliteStore(run_dir / "results.sqlite") as store:
            ids = [r.attempt_id for r in store.all()]
    assert len(ids) == len(set(ids)), "an attempt is stored twice"
    assert set(ids) <= set(planned)
    for aid in ids:
        assert (run_dir / "attempts" / aid / "attempt.json").is_file(), aid
    if complete:
        assert set(ids) == set(planned)
        assert {p.name for p in (run_dir / "attempts").iterdir()} == set(planned)
        # the --resume that completed the plan wrote the report
        assert (run_dir / "report" / "index.html").is_file()
        assert (run_dir / "report" / "summary.md").is_file()
    return set(ids)


@pytest.mark.parametrize("point", ["before-any-attempt", "after-2-attempts", "writing-report"])
def test_sigkill_of_the_runner_loses_and_duplicates_nothing(tmp_path, gate, point):
    run_dir = tmp_path / "run"
    if point == "writing-report":
        # the last file of the report is written through index.html.tmp: as a FIFO, the runner
        # blocks opening it (or writing more than a pipe holds) until the test lets it go
        (run_dir / "report").mkdir(parents=True)
        report_fifo = run_dir / "report" / "index.html.tmp"
        os.mkfifo(report_fifo)
        gate.open_for_all()
    proc = start(run_dir, *gate.args(), *PLAN)
    try:
        if point == "writing-report":
            fds: list[int] = []
            opener = threading.Thread(
                target=lambda: fds.append(os.open(report_fifo, os.O_RDONLY)), daemon=True
            )
            opener.start()
            while opener.is_alive() and proc.poll() is None:
                opener.join(timeout=0.5)
            assert fds, f"the run ended before writing its report: {_out(proc)}"
            k = N_ATTEMPTS
        else:
            k = 0 if point == "before-any-attempt" else 2
            for i in range(k):
                os.close(gate.wait_reader(proc))
                wait_rows(run_dir, i + 1, proc)
            fds = [gate.wait_reader(proc)]  # attempt k + 1 is in progress
        proc.kill()
        proc.wait()
        for fd in fds:
            os.close(fd)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    gate.wait_no_reader()  # the agent in flight died with the run
    before = stored(run_dir)
    assert len(before) == k
    assert_consistent(run_dir, complete=False)
    if point == "writing-report":
        assert not (run_dir / "report" / "index.html").exists()
        report_fifo.unlink()

    gate.open_for_all()
    autoexp("run", "--run-dir", str(run_dir), "--resume", "--no-progress")
    after = stored(run_dir)
    assert len(after) == N_ATTEMPTS
    assert all(after[a] == v for a, v in before.items()), "a finished attempt was redone"
    assert {v[0] for v in after.values()} == {"failed"}  # the agent submits nothing
    assert_consistent(run_dir, complete=True)


def test_worker_killed_mid_attempt_is_an_infra_error_and_the_run_goes_on(tmp_path, gate):
    run_dir = tmp_path / "run"
    proc = start(run_dir, *gate.args(), *PLAN, "--max-retries", "0")  # none within the run
    try:
        fd = gate.wait_reader(proc)  # the first attempt is in progress
        worker = worker_of(proc.pid, gate.reader_pid())
        gate.open_for_all()  # the attempts after it pass
        os.kill(worker, signal.SIGKILL)
        gate.wait_no_reader()
        os.close(fd)
        rc, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc == 0, err
    assert "Traceback" not in err, err
    first = load_run_file(run_dir).attempts[0].attempt_id
    recs = stored(run_dir)
    assert len(recs) == N_ATTEMPTS
    assert recs[first][:2] == ("infra_error", "sandbox")
    assert {recs[a][0] for a in recs if a != first} == {"failed"}, recs
    with SqliteStore(run_dir / "results.sqlite") as store:
        crashed = store.get(first)
    assert crashed is not None and "worker process failed" in (crashed.error or ""), crashed

    autoexp("run", "--run-dir", str(run_dir), "--resume", "--max-retries", "2", "--no-progress")
    after = stored(run_dir)
    assert after[first][0] == "failed" and after[first][3] == 1
    assert all(after[a] == v for a, v in recs.items() if a != first)
    assert_consistent(run_dir, complete=True)


def test_model_server_gone_mid_run_gives_infra_errors_and_resume_finishes(tmp_path, gate):
    run_dir = tmp_path / "run"
    # the first attempt's model blocks its bash tool on the gate, then submits: while it is
    # blocked the server goes away, so every later model call finds nothing listening
    first = [
        {
            "tool_calls": [
                {"name": "bash", "arguments": {"command": f"cat {gate.fifo}"}},
                {"name": "submit", "arguments": {"results": EXPECTED}},
            ]
        }
    ]
    args = ["--agent", "react", "--model", "fake", "--agent-option", "max_retries=0",
            "--sandbox-ro", str(gate.root), *PLAN]  # fmt: skip
    with FakeServer(first) as srv:
        url, port = srv.base_url, srv.port
        proc = start(run_dir, *args, "--base-url", url, "--max-retries", "0")
        try:
            fd = gate.wait_reader(proc)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    try:
        os.close(fd)  # the server is closed: nothing answers on its port
        rc, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err, err
    assert rc == 0, err  # fewer than --max-api-failures (5): the breaker does not trip
    order = [s.attempt_id for s in load_run_file(run_dir).attempts]
    recs = stored(run_dir)
    assert len(recs) == N_ATTEMPTS
    assert recs[order[0]][0] != "infra_error", recs
    assert [recs[a][:2] for a in order[1:]] == [("infra_error", "model_api")] * 2, recs

    script = [{"tool_calls": [{"name": "submit", "arguments": {"results": EXPECTED}}],
               "forever": True}]  # fmt: skip
    with FakeServer(script, port=port):
        autoexp("run", "--run-dir", str(run_dir), "--resume", "--max-retries", "2", "--no-progress")
    after = stored(run_dir)
    assert after[order[0]] == recs[order[0]]
    assert all(after[a][0] != "infra_error" and after[a][3] == 1 for a in order[1:]), after
    assert_consistent(run_dir, complete=True)


def test_full_disk_in_the_run_dir_is_a_clear_error_and_the_store_stays_intact(tmp_path, gate):
    run_dir = tmp_path / "run"
    proc = start(run_dir, *gate.args(), *PLAN, "--no-report", pipes=True)
    try:
        os.close(gate.wait_reader(proc))
        wait_rows(run_dir, 1, proc)
        fd = gate.wait_reader(proc)  # the second attempt is in progress
        worker = worker_of(proc.pid, gate.reader_pid())
        # from now on the runner and its worker can write no file: the disk is full (CPython
        # ignores SIGXFSZ, so a write past RLIMIT_FSIZE fails with EFBIG rather than killing)
        for pid in (proc.pid, worker):
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, 0))
        os.close(fd)
        rc, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rc != 0, err
    assert "Traceback" not in err, err
    second = load_run_file(run_dir).attempts[1].attempt_id
    text = " ".join(err.split())
    assert f"{run_dir / 'results.sqlite'}: cannot store attempt {second}" in text, err
    assert "is the disk full?" in text and "--resume" in text, err
    # the store is intact: it reads, and holds the attempt that finished before the disk filled
    with contextlib.closing(sqlite3.connect(run_dir / "results.sqlite")) as c:
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    recs = stored(run_dir)
    first = load_run_file(run_dir).attempts[0].attempt_id
    assert first in recs and recs[first][0] == "failed"
    assert_consistent(run_dir, complete=False)

    gate.open_for_all()  # space is back (a new process, no limit): resume finishes the plan
    autoexp("run", "--run-dir", str(run_dir), "--resume", "--no-progress")
    assert len(stored(run_dir)) == N_ATTEMPTS
    assert stored(run_dir)[first] == recs[first]
    assert_consistent(run_dir, complete=True)
