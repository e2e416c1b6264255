"""Issue 17, item 4: `run()` through the protocols. A Store and an Executor written here (a dict
and a serial loop in this process) run a real plan; run.json records the run's state and each
invocation's command line; a worker that dies leaves a record with its times."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Generator, Iterable
from datetime import datetime
from pathlib import Path

import pytest

from autoexp.agents import AgentSpec
from autoexp.errors import RunError
from autoexp.models import FakeServer
from autoexp.protocols import Executor, Store
from autoexp.runner import AttemptRecord, AttemptSpec, LocalExecutor, RunConfig, load_run_file, run
from autoexp.runner._run import RunState, _crashed

from conftest import TOY

ORACLE = RunConfig(tasks=[str(TOY)], agents=[AgentSpec(name="oracle")], ns=[1])


class DictStore:
    """A Store that keeps the records in a dict (nothing on disk)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[str, AttemptRecord] = {}
        self.opened = 0
        self.closed = 0

    def put(self, record: AttemptRecord) -> None:
        self.records[record.attempt_id] = record.model_copy(deep=True)

    def get(self, attempt_id: str) -> AttemptRecord | None:
        return self.records.get(attempt_id)

    def all(self) -> list[AttemptRecord]:
        return list(self.records.values())

    def statuses(self) -> dict[str, tuple[str, int]]:
        return {a: (r.status.value, r.retries) for a, r in self.records.items()}

    def close(self) -> None:
        self.closed += 1

    def factory(self, run_dir: Path) -> DictStore:
        assert run_dir == self.path
        self.opened += 1
        return self


class SerialExecutor:
    """An Executor that runs every attempt in this process, one after the other."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def map(
        self, fn: Callable[[AttemptSpec], AttemptRecord], specs: Iterable[AttemptSpec]
    ) -> Generator[AttemptRecord, None, None]:
        for spec in specs:
            self.seen.append(spec.attempt_id)
            yield fn(spec)


class CtrlC:
    """An Executor interrupted (Ctrl-C) before any attempt finishes."""

    def map(
        self, fn: Callable[[AttemptSpec], AttemptRecord], specs: Iterable[AttemptSpec]
    ) -> Generator[AttemptRecord, None, None]:
        raise KeyboardInterrupt
        yield  # a generator


def test_run_uses_only_the_store_and_executor_protocols(tmp_path):
    run_dir = tmp_path / "run"
    store, executor = DictStore(run_dir), SerialExecutor()
    assert isinstance(store, Store) and isinstance(executor, Executor)
    cfg = ORACLE.model_copy(update={"agents": [AgentSpec(name="oracle"), AgentSpec(name="noop")]})
    res = run(cfg, run_dir, progress=False, store=store.factory, executor=executor)
    assert sorted(executor.seen) == sorted(r.attempt_id for r in res.executed)
    assert {(r.spec.agent.name, r.status.value) for r in store.all()} == {
        ("oracle", "passed"),
        ("noop", "failed"),
    }
    assert not (run_dir / "results.sqlite").exists()  # the default store was never opened
    assert (store.opened, store.closed) == (1, 1)  # a new run: nothing to read beforehand
    # the same plan again: the store's statuses say both are done, the executor gets nothing
    again = run(cfg, run_dir, progress=False, store=store.factory, executor=SerialExecutor())
    assert again.executed == [] and again.kept == 2
    assert (store.opened, store.closed) == (3, 3)
    assert load_run_file(run_dir).state == RunState.FINISHED


def test_run_json_records_the_state_and_each_invocation(tmp_path):
    run_dir = tmp_path / "run"
    argv = ["autoexp", "run", str(TOY), "--agent", "oracle"]
    run(ORACLE, run_dir, progress=False, argv=argv)
    raw = json.loads((run_dir / "run.json").read_text())
    assert raw["schema_version"] == 2 and raw["state"] == "finished"
    (inv,) = raw["invocations"]
    assert inv["argv"] == argv and inv["cwd"] == os.getcwd() and inv["state"] == "finished"
    assert inv["started_at"] <= inv["finished_at"] and inv["stopped"] is None
    # a second invocation from Python without a command line is appended
    run(None, run_dir, resume=True, progress=False)
    rf = load_run_file(run_dir)
    assert [i.argv for i in rf.invocations] == [argv, None]
    assert [i.state for i in rf.invocations] == [RunState.FINISHED] * 2

    # Ctrl-C: the run and its invocation are interrupted, and say so
    with pytest.raises(KeyboardInterrupt):
        run(ORACLE, tmp_path / "ctrl-c", progress=False, executor=CtrlC())
    rf = load_run_file(tmp_path / "ctrl-c")
    assert rf.state == rf.invocations[-1].state == RunState.INTERRUPTED
    assert "KeyboardInterrupt" in (rf.invocations[-1].stopped or "")
    assert rf.invocations[-1].finished_at


@pytest.mark.fault
def test_a_run_stopped_by_the_circuit_breaker_is_interrupted(tmp_path):
    run_dir = tmp_path / "run"
    with FakeServer([{"error": 500, "error_message": "model is down", "forever": True}]) as srv:
        agent = AgentSpec(
            name="agentless", model="fake", base_url=srv.base_url, options={"max_retries": 0}
        )
        cfg = ORACLE.model_copy(
            update={
                "agents": [agent],
                "max_api_failures": 1,
                "max_retries": 1,
                "retry_backoff_s": 0.0,
                "preflight": False,
            }
        )
        res = run(cfg, run_dir, progress=False, argv=["autoexp", "run"])
        requests = len(srv.chat_requests())
    # the breaker trips on the first API error: the retry it would have had is left for resume
    assert requests == 1
    assert res.stopped and "stopped after 1 consecutive attempts failed" in res.stopped
    assert "0 attempt(s) not run, 1 infra error(s) not retried" in res.stopped
    (rec,) = res.executed
    assert (rec.status.value, rec.reason.value, rec.retries) == ("infra_error", "model_api", 0)
    rf = load_run_file(run_dir)
    assert rf.state == RunState.INTERRUPTED
    assert rf.invocations[-1].stopped == res.stopped and rf.invocations[-1].argv == [
        "autoexp",
        "run",
    ]


def test_old_run_json_is_migrated_and_an_unknown_version_refused(tmp_path):
    run_dir = tmp_path / "run"
    run(ORACLE, run_dir, progress=False)
    raw = json.loads((run_dir / "run.json").read_text())
    old = {k: v for k, v in raw.items() if k not in ("state", "invocations")}
    (run_dir / "run.json").write_text(json.dumps({**old, "schema_version": 1}))
    rf = load_run_file(run_dir)
    assert (rf.schema_version, rf.state, rf.invocations) == (2, RunState.INTERRUPTED, [])
    assert [s.model_dump(mode="json") for s in rf.attempts] == raw["attempts"]
    # a resume of the old run redoes nothing and writes the current version
    res = run(None, run_dir, resume=True, progress=False)
    assert res.executed == [] and res.kept == 1
    raw = json.loads((run_dir / "run.json").read_text())
    assert raw["schema_version"] == 2 and raw["state"] == "finished"
    assert len(raw["invocations"]) == 1

    (run_dir / "run.json").write_text(json.dumps({**old, "schema_version": 99}))
    with pytest.raises(RunError, match=r"schema_version 99 not supported .*1 to 2"):
        load_run_file(run_dir)


def _die(spec: AttemptSpec) -> AttemptRecord:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


@pytest.mark.fault
def test_a_dead_worker_leaves_a_record_with_its_times(tmp_path):
    spec = AttemptSpec(
        task_id="toy-stats", task_root=str(TOY), agent=AgentSpec(name="oracle"), combo=(), trial=0
    )
    (rec,) = LocalExecutor(1, on_crash=_crashed).map(_die, [spec])
    assert (rec.status.value, rec.reason.value) == ("infra_error", "sandbox")
    assert "worker process failed" in (rec.error or "")
    started = datetime.fromisoformat(rec.started_at)
    finished = datetime.fromisoformat(rec.finished_at)
    assert started <= finished and started.tzinfo is not None and rec.wall_s >= 0
