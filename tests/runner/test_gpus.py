"""Issue 15, item 4: handing out GPUs. Attempts never share one, a crash gives them back, an
attempt waiting for a GPU does not hold back CPU-only ones, `$AUTOEXP_GPUS` restricts what is
handed out, and a task needing more GPUs than the machine has is skipped with the reason.

All of it runs on a machine without a GPU: the executor hands out device indices, which is all
it does on a GPU machine too (the sandbox binds the device nodes, tests/sandbox/test_gpu_binds).
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from autoexp.agents._types import AgentSpec
from autoexp.errors import ConfigError
from autoexp.runner import AttemptSpec
from autoexp.runner._attempt import run_attempt
from autoexp.runner._envs import task_sandbox
from autoexp.runner._executor import LocalExecutor, task_gpus
from autoexp.runner._gpus import (
    ASSIGNED_ENV,
    GPUS_ENV,
    GpuPool,
    assigned_gpus,
    detect_gpus,
    gpu_skip_reason,
    machine_gpus,
    parse_gpu_list,
)
from autoexp.runner._plan import RunConfig, plan_attempts
from autoexp.runner._run import _crashed, run
from autoexp.tasks import BUILTIN_DIR, load_task

from conftest import TOY, autoexp

SMOKE = BUILTIN_DIR / "gpu-smoke"


@dataclass(frozen=True)
class Job:
    """A spec for the executor: `gpus` wanted; `wait_for`: a file to wait for before ending;
    `touch`: a file to create; `crash`: how to fail (`exit` kills the worker, `raise`)."""

    name: str
    gpus: int
    log: str
    wait_for: str | None = None
    touch: str | None = None
    crash: str | None = None


def _locked(log: str, update):
    """Apply `update(state) -> state` to the JSON file `log` under an exclusive fcntl lock."""
    with open(log, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        state = json.loads(fh.read() or '{"held": [], "events": [], "overlaps": []}')
        state = update(state)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(state))
        fh.flush()
        fcntl.flock(fh, fcntl.LOCK_UN)


def _job(job: Job) -> tuple[str, str]:
    """In the worker: record start (and any GPU already held by another job), maybe wait for a
    file or crash, record the end; return (name, $AUTOEXP_ASSIGNED_GPUS)."""
    mine = [int(i) for i in os.environ[ASSIGNED_ENV].split(",") if i]

    def start(state):
        state["overlaps"] += [i for i in mine if i in state["held"]]
        state["held"] += mine
        state["events"].append(["start", job.name])
        return state

    def end(state):
        for i in mine:
            state["held"].remove(i)
        state["events"].append(["end", job.name])
        return state

    _locked(job.log, start)
    if job.touch:
        Path(job.touch).touch()
    if job.wait_for:
        deadline = time.monotonic() + 240  # a barrier, not a timing check: generous
        while not os.path.exists(job.wait_for):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{job.wait_for} never appeared")
            time.sleep(0.01)
    _locked(job.log, end)
    if job.crash == "exit":
        os._exit(3)
    if job.crash == "raise":
        raise RuntimeError("boom")
    return job.name, os.environ[ASSIGNED_ENV]


def _crash(job: Job, err: BaseException, started) -> tuple[str, str]:
    return job.name, f"crashed: {type(err).__name__}"


def _executor(workers: int, gpus: list[int]) -> LocalExecutor:
    return LocalExecutor(workers, _crash, gpus=gpus, gpus_for=lambda j: j.gpus)


def _state(log: Path) -> dict:
    return json.loads(log.read_text())


def test_attempts_never_share_a_gpu_and_get_k_of_n(tmp_path):
    log = str(tmp_path / "log.json")
    jobs = [Job(f"g{i}", 1 + i % 2, log) for i in range(8)] + [Job("cpu", 0, log)]
    ex = _executor(3, [0, 1, 2])
    got = dict(ex.map(_job, jobs))
    assert _state(Path(log))["overlaps"] == []
    for job in jobs:
        ids = [int(i) for i in got[job.name].split(",") if i]
        assert len(ids) == job.gpus and set(ids) <= {0, 1, 2}, (job, got[job.name])
    assert ex.gpus.free == [0, 1, 2]


def test_a_gpu_wait_does_not_block_cpu_attempts(tmp_path):
    """g1 holds the only GPU until `cpu` (listed after g2, which waits for that GPU) has run:
    with a FIFO executor g2 would sit in the second slot (or share the GPU) and g1 time out."""
    log, flag = str(tmp_path / "log.json"), str(tmp_path / "cpu-ran")
    jobs = [Job("g1", 1, log, wait_for=flag), Job("g2", 1, log), Job("cpu", 0, log, touch=flag)]
    got = dict(_executor(2, [0]).map(_job, jobs))
    assert got == {"g1": "0", "g2": "0", "cpu": ""}
    events = _state(Path(log))["events"]
    assert events.index(["end", "cpu"]) < events.index(["start", "g2"])
    assert events.index(["end", "g1"]) < events.index(["start", "g2"])


@pytest.mark.parametrize("how", ["exit", "raise"])
def test_gpus_come_back_after_a_crash(tmp_path, how):
    log = str(tmp_path / "log.json")
    jobs = [Job("bad", 2, log, crash=how), Job("after", 2, log), Job("cpu", 0, log)]
    ex = _executor(1, [4, 5])
    got = dict(ex.map(_job, jobs))
    kind = "BrokenProcessPool" if how == "exit" else "RuntimeError"
    assert got == {"bad": f"crashed: {kind}", "after": "4,5", "cpu": ""}
    assert ex.gpus.free == [4, 5] and _state(Path(log))["overlaps"] == []


def test_gpus_come_back_when_the_consumer_stops(tmp_path):
    log, flag = str(tmp_path / "log.json"), str(tmp_path / "never")
    ex = _executor(2, [0])
    results = ex.map(_job, [Job("quick", 0, log), Job("stuck", 1, log, wait_for=flag)])
    assert next(results) == ("quick", "")
    results.close()  # kills the worker of `stuck`
    assert ex.gpus.free == [0]


def test_an_attempt_needing_more_gpus_than_the_executor_has_is_a_crash_record(tmp_path):
    log = str(tmp_path / "log.json")
    got = list(_executor(1, [0]).map(_job, [Job("big", 2, log), Job("cpu", 0, log)]))
    assert got == [("big", "crashed: InfraError"), ("cpu", "")]


def test_default_gpu_count_is_the_tasks_needs():
    def spec(root):
        return type("S", (), {"task_root": str(root)})()

    assert task_gpus(spec(SMOKE)) == 1
    assert task_gpus(spec(TOY)) == 0
    assert task_gpus(object()) == 0


def test_pool_takes_k_or_none_and_refuses_foreign_ids():
    pool = GpuPool([3, 1, 2])
    assert pool.take(2) == [1, 2] and pool.take(2) is None and pool.take(0) == []
    assert pool.take(1) == [3] and pool.free == []
    pool.give([1, 2])
    with pytest.raises(ValueError, match="not taken"):
        pool.give([1])
    with pytest.raises(ValueError, match="not taken"):
        pool.give([9])


@pytest.mark.parametrize(
    ("text", "ids"), [("0,1", [0, 1]), (" 2 , 0", [0, 2]), ("none", []), ("NONE", []), ("", [])]
)
def test_gpu_lists_parse(text, ids):
    assert parse_gpu_list(text, GPUS_ENV) == ids


@pytest.mark.parametrize(("text", "why"), [("0,x", "'x' is not an index"), ("1,1", "twice")])
def test_bad_gpu_lists_are_config_errors(text, why):
    with pytest.raises(ConfigError, match=why) as err:
        parse_gpu_list(text, GPUS_ENV)
    assert str(err.value).startswith(f"{GPUS_ENV}={text!r}: ")


def test_env_overrides_detection_and_assignment_is_read_back(monkeypatch):
    monkeypatch.setenv(GPUS_ENV, "3,1")
    assert machine_gpus() == [1, 3]
    monkeypatch.setenv(GPUS_ENV, "none")
    assert machine_gpus() == []
    monkeypatch.setenv(GPUS_ENV, "one")
    with pytest.raises(ConfigError, match=GPUS_ENV):
        machine_gpus()
    monkeypatch.delenv(ASSIGNED_ENV, raising=False)
    assert assigned_gpus() == []
    monkeypatch.setenv(ASSIGNED_ENV, "0,2")
    assert assigned_gpus() == [0, 2]


def test_detection_from_proc_then_dev(tmp_path):
    proc, dev = tmp_path / "proc", tmp_path / "dev"
    dev.mkdir()
    for name in ("nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "null"):
        (dev / name).touch()
    assert detect_gpus(proc, dev) == [0, 1]
    for bus, minor in (("0000:3b:00.0", 2), ("0000:5e:00.0", 5)):
        info = proc / "driver" / "nvidia" / "gpus" / bus / "information"
        info.parent.mkdir(parents=True)
        info.write_text(f"Model: \t\t Fake GPU\nDevice Minor: \t {minor}\nBus Type: \t PCIe\n")
    assert detect_gpus(proc, dev) == [2, 5]  # the driver's list wins
    assert detect_gpus(tmp_path / "none", tmp_path / "none") == []


def test_skip_reason():
    assert gpu_skip_reason(0, 0) is None and gpu_skip_reason(2, 2) is None
    assert gpu_skip_reason(1, 0).startswith("needs 1 GPU, this machine has none")
    assert gpu_skip_reason(3, 2).startswith("needs 3 GPUs, this machine has 2 GPUs")


def test_a_gpu_task_is_skipped_in_the_plan_with_the_reason(monkeypatch):
    tasks = [load_task(SMOKE), load_task(TOY)]
    config = RunConfig(agents=[AgentSpec(name="oracle")], ns=[1, 2])
    monkeypatch.setenv(GPUS_ENV, "none")
    specs, skipped = plan_attempts(tasks, config)
    assert {s.task_id for s in specs} == {"toy-stats"}
    assert [(s.task, s.n) for s in skipped] == [("gpu-smoke", 1), ("gpu-smoke", 2)]
    assert all("needs 1 GPU, this machine has none" in s.why for s in skipped)
    assert GPUS_ENV in skipped[0].why
    monkeypatch.setenv(GPUS_ENV, "0")  # pretend: one GPU
    specs, skipped = plan_attempts(tasks, config)
    assert {s.task_id for s in specs} == {"gpu-smoke", "toy-stats"} and skipped == []
    monkeypatch.setenv(GPUS_ENV, "none")  # an executor with GPUs elsewhere (Ray) says how many
    specs, _ = plan_attempts(tasks, config, gpus=4)
    assert "gpu-smoke" in {s.task_id for s in specs}


def test_run_and_validate_skip_the_gpu_task_with_the_reason(tmp_path):
    env = {**os.environ, GPUS_ENV: "none"}
    proc = autoexp(
        "run", str(SMOKE), "--run-dir", str(tmp_path / "r"), "--no-progress", check=False, env=env
    )
    assert proc.returncode != 0
    assert "gpu-smoke n=1: needs 1 GPU, this machine has none" in " ".join(proc.stderr.split())
    proc = autoexp("tasks", "validate", "gpu-smoke", env=env)
    out = " ".join(proc.stdout.split())
    assert "skip gpu-smoke: needs 1 GPU, this machine has none" in out
    assert "1 task(s), 0 checks, 0 failed, 1 task(s) skipped" in out
    proc = autoexp("tasks", "validate", "gpu-smoke", "--json", env=env)
    (row,) = json.loads(proc.stdout)
    assert row["ok"] and row["skipped"].startswith("needs 1 GPU") and row["checks"] == []


def test_a_bad_gpu_setting_stops_the_run_before_it_starts(tmp_path):
    env = {**os.environ, GPUS_ENV: "gpu0"}
    proc = autoexp(
        "run", str(TOY), "--run-dir", str(tmp_path / "r"), "--no-progress", check=False, env=env
    )
    assert proc.returncode != 0 and "AUTOEXP_GPUS='gpu0'" in proc.stderr
    assert not (tmp_path / "r").exists()


def test_an_attempt_records_its_gpus_and_its_sandbox_gets_them(tmp_path):
    """A real oracle attempt in a worker given GPU 0 (nothing to bind on this machine): the
    record says which GPU it had, and it still passes (the sandbox accepted the assignment)."""
    spec = AttemptSpec(
        task_id="toy-stats", task_root=str(TOY), agent=AgentSpec(name="oracle"), combo=(), trial=0
    )
    ex = LocalExecutor(1, _crashed, gpus=[0], gpus_for=lambda s: 1)
    (rec,) = ex.map(functools.partial(run_attempt, run_dir=tmp_path), [spec])
    assert rec.status.value == "passed", rec.error
    assert rec.machine["gpus"] == [0]


def test_validation_sandboxes_get_the_first_gpus_a_task_needs(monkeypatch):
    monkeypatch.setenv(GPUS_ENV, "2,3")
    assert task_sandbox(load_task(SMOKE), backend="none").config.gpus == [2]
    assert task_sandbox(load_task(TOY), backend="none").config.gpus == []


def test_the_plan_counts_the_executors_gpus_not_the_machines(tmp_path, monkeypatch):
    """With no GPU here, a run given an executor that has one plans the GPU task (and runs it:
    without CUDA its experiment fails, graded), instead of leaving it out."""
    monkeypatch.setenv(GPUS_ENV, "none")
    config = RunConfig(tasks=[str(SMOKE)], agents=[AgentSpec(name="oracle")], preflight=False)
    ex = LocalExecutor(1, _crashed, gpus=[0])
    result = run(config, tmp_path / "r", executor=ex, progress=False)
    assert result.skipped == [] and result.planned == 1
    (rec,) = result.executed
    assert rec.status.value == "failed" and rec.machine["gpus"] == [0]
