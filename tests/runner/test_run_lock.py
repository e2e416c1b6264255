"""Two `autoexp run` on one run directory: the second refuses, naming the lock and the pid of
the live run; a lock file left by a dead process is taken over. Through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from conftest import TOY, attempts_json, autoexp

pytestmark = pytest.mark.slow


def _open_for_writing(fifo: Path, out: list[int]) -> None:
    out.append(os.open(fifo, os.O_WRONLY))  # blocks until the agent opens it to read


def test_second_run_on_a_live_run_dir_refuses_naming_the_lock_and_pid(tmp_path):
    run_dir = tmp_path / "run"
    gate_dir = Path(tempfile.mkdtemp(prefix="autoexp-lock-"))
    try:
        gate_dir.chmod(0o755)
        fifo = gate_dir / "gate"
        os.mkfifo(fifo, 0o644)
        # the first run's agent blocks reading the FIFO: while it does, that run is live
        argv = [
            sys.executable, "-m", "autoexp.cli", "run", str(TOY), "--agent", "command",
            "--agent-cmd", f"cat {fifo}", "--sandbox-ro", str(gate_dir),
            "--run-dir", str(run_dir), "--no-progress", "--no-report",
        ]  # fmt: skip
        first = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        opened: list[int] = []
        opener = threading.Thread(target=_open_for_writing, args=(fifo, opened), daemon=True)
        opener.start()
        while opener.is_alive() and first.poll() is None:
            opener.join(timeout=0.5)
        assert opened, f"the first run ended before its agent started: {first.communicate()}"
        try:
            second = autoexp(
                "run", str(TOY), "--agent", "noop", "--run-dir", str(run_dir), "--no-progress",
                "--no-report", check=False,
            )  # fmt: skip
        finally:
            os.close(opened[0])  # the agent reads EOF and ends; the first run finishes
        out, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
        for p in gate_dir.iterdir():
            p.unlink()
        gate_dir.rmdir()
    assert second.returncode != 0, second.stdout + second.stderr
    message = " ".join((second.stdout + second.stderr).split())
    assert f"pid {first.pid}" in message and str(run_dir / ".lock") in message, message
    assert "Traceback" not in second.stderr, second.stderr
    # the first run was not disturbed, and the refused one added nothing to it
    assert first.returncode == 0, out + err
    rows = attempts_json(run_dir)
    assert [r["agent"] for r in rows] == ["command"], rows
    assert "noop" not in (run_dir / "run.json").read_text(encoding="utf-8")


def test_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    (run_dir / ".lock").write_text(dead.stdout)
    autoexp("run", str(TOY), "--agent", "oracle", "--run-dir", str(run_dir), "--no-progress",
            "--no-report")  # fmt: skip
    assert [r["status"] for r in attempts_json(run_dir)] == ["passed"]
    assert (run_dir / ".lock").read_text().strip() != dead.stdout.strip()
