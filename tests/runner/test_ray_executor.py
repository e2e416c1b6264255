"""Issue 15, item 1: the Ray executor, on a local Ray instance of 2 CPUs. The same plan gives
the same statuses as the process pool, with the attempt directories on the driver; a worker
that dies is an infra_error that the run retries; task files travel to the node; `autoexp run
--executor ray` works, and a wrong Ray configuration fails before anything runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from autoexp.agents import AgentSpec  # noqa: E402
from autoexp.errors import ConfigError  # noqa: E402
from autoexp.grading import Reason, Status  # noqa: E402
from autoexp.report import summary, write_report  # noqa: E402
from autoexp.runner import AttemptRecord, AttemptSpec, RunConfig, run  # noqa: E402
from autoexp.runner._attempt import error_attempt  # noqa: E402
from autoexp.runner._plan import ExecutorKind, plan_attempts  # noqa: E402
from autoexp.runner._ray import RayExecutor, cache_dir  # noqa: E402
from autoexp.runner._regrade import regrade  # noqa: E402
from autoexp.runner._run import AttemptWork, _crashed  # noqa: E402
from autoexp.tasks import resolve_tasks  # noqa: E402

from conftest import TOY, autoexp  # noqa: E402

PLAN = RunConfig(tasks=[str(TOY), "naive-bayes"], workers=2, retry_backoff_s=0)
"""Oracle and noop on the toy task and naive-bayes, n = 1: four attempts."""


@pytest.fixture(scope="module")
def pool_statuses(tmp_path_factory) -> dict[str, str]:
    """The plan run by the process pool, before this process starts Ray (a pool forks)."""
    result = run(PLAN, tmp_path_factory.mktemp("pool") / "run", progress=False)
    return {r.attempt_id: r.status.value for r in result.executed}


@pytest.fixture(scope="module")
def cluster(pool_statuses) -> Generator[str, None, None]:
    """A local Ray instance of 2 CPUs; its address, for other drivers."""
    ctx = ray.init(num_cpus=2, include_dashboard=False, logging_level="error")
    try:
        yield ctx.address_info["address"]
    finally:
        ray.shutdown()


def _executor() -> RayExecutor:
    return RayExecutor.connect(None, _crashed, memory_mb=1024)


def _specs(root: Path | str, agent: str = "oracle") -> list[AttemptSpec]:
    config = RunConfig(tasks=[str(root)], agents=[AgentSpec(name=agent)])
    specs, _ = plan_attempts(resolve_tasks(config.tasks), config)
    return specs


def test_the_same_plan_gives_the_same_statuses_as_the_pool(pool_statuses, cluster, tmp_path):
    run_dir = tmp_path / "run"
    result = run(PLAN.model_copy(update={"executor": ExecutorKind.RAY}), run_dir, progress=False)
    assert {r.attempt_id: r.status.value for r in result.executed} == pool_statuses
    assert sorted(pool_statuses.values()) == ["failed", "failed", "passed", "passed"]
    for rec in result.executed:
        where = run_dir / "attempts" / rec.attempt_id
        assert (where / "attempt.json").is_file() and (where / "evidence.json").is_file()
        assert (where / "logs").is_dir()
        text = (where / "attempt.json").read_text()
        stored = AttemptRecord.model_validate_json(text)
        assert stored.spec == rec.spec  # the planned spec, not the node's copy of the task
        assert str(cache_dir()) not in text
    assert {row.agent: row.passed for row in summary(run_dir).rows} == {"oracle": 2, "noop": 0}
    assert write_report(run_dir).is_file()
    regraded = regrade(run_dir, progress=False)
    assert regraded.regraded == 4 and not regraded.changes
    resumed = run(PLAN, run_dir, resume=True, progress=False)  # the executor is resumable
    assert resumed.kept == 4 and not resumed.executed


def _gone(pid: int, within_s: float = 30.0) -> bool:
    """Whether process `pid` ends (or is a zombie) within `within_s`."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_closing_the_map_cancels_the_attempts_in_flight(cluster, tmp_path):
    quick, stuck = _specs(TOY)[0], _specs(TOY, "noop")[0]
    pidfile = tmp_path / "pid"

    def work(spec: AttemptSpec) -> AttemptRecord:
        if spec.agent.name == "noop":  # runs until it is cancelled
            pidfile.write_text(str(os.getpid()))
            threading.Event().wait()
        while not pidfile.exists():  # the other attempt is in flight
            time.sleep(0.05)
        return error_attempt(spec, Status.FAILED, Reason.NONE, "")

    results = _executor().map(work, [quick, stuck])
    assert next(results).spec == quick
    results.close()
    assert _gone(int(pidfile.read_text())), "the worker of the cancelled attempt still runs"


def test_a_worker_that_dies_is_an_infra_error(cluster):
    crash, fine = _specs(TOY)[0], _specs(TOY, "noop")[0]

    def die_or_fail(spec: AttemptSpec) -> AttemptRecord:
        if spec.agent.name == "oracle":
            os._exit(1)
        return error_attempt(spec, Status.FAILED, Reason.NO_REPORT, spec.task_root)

    records = {r.attempt_id: r for r in _executor().map(die_or_fail, [crash, fine])}
    died = records[crash.attempt_id]
    assert died.status == Status.INFRA_ERROR and died.spec == crash
    assert "worker process failed" in (died.error or "")
    ran = records[fine.attempt_id]
    assert ran.status == Status.FAILED and ran.spec == fine
    # task files travel: the attempt saw the node's copy of the task, not the original
    assert Path(ran.error or "").is_relative_to(cache_dir()) and ran.error != str(TOY)


def test_an_attempt_no_node_can_hold_is_refused_before_it_runs(cluster):
    config = RunConfig(tasks=["gpu-smoke"], agents=[AgentSpec(name="oracle")])
    (spec,) = plan_attempts(resolve_tasks(config.tasks), config, gpus=1)[0]
    (rec,) = _executor().map(lambda s: pytest.fail("it ran"), [spec])
    assert rec.status == Status.INFRA_ERROR and "no Ray node has more than 0" in (rec.error or "")
    with pytest.raises(ConfigError, match=r"--memory-mb 100000000: no Ray node offers"):
        RayExecutor.connect(None, _crashed, memory_mb=10**8)


class CrashFirst:
    """A RayExecutor whose first attempt's worker dies (really: `os._exit`); `marker` says it
    has died once. Everything else runs as the run asks."""

    def __init__(self, inner: RayExecutor, marker: Path) -> None:
        self.inner, self.marker = inner, marker

    def map(
        self, fn: Callable[[AttemptSpec], AttemptRecord], specs: Iterable[AttemptSpec]
    ) -> Generator[AttemptRecord, None, None]:
        marker = self.marker

        def flaky(spec: AttemptSpec) -> AttemptRecord:
            if not marker.exists():
                marker.touch()
                os._exit(1)
            return fn(spec)

        return self.inner.map(flaky, specs)


def test_a_dead_worker_is_retried_by_the_run(cluster, tmp_path):
    config = RunConfig(tasks=[str(TOY)], agents=[AgentSpec(name="oracle")], retry_backoff_s=0)
    executor = CrashFirst(_executor(), tmp_path / "died")
    result = run(config, tmp_path / "run", progress=False, executor=executor)
    (rec,) = result.executed
    assert (tmp_path / "died").exists() and result.retried == 1
    assert rec.status == Status.PASSED and rec.retries == 1


def test_task_files_travel_with_the_attempt(cluster, tmp_path):
    task = shutil.copytree(TOY, tmp_path / "toy-stats")
    (spec,) = _specs(task)
    executor = _executor()
    seen = list(executor.map(lambda s: error_attempt(s, Status.FAILED, Reason.NONE, ""), [spec]))
    assert seen[0].spec == spec  # packed and sent once, kept by the executor
    shutil.rmtree(task)  # the original is gone: only the packed copy can run
    run_dir = tmp_path / "run"
    (rec,) = executor.map(AttemptWork(run_dir, PLAN.sandbox, PLAN.backend), [spec])
    assert rec.status == Status.PASSED and rec.spec.task_root == str(task)
    assert (run_dir / "attempts" / rec.attempt_id / "attempt.json").is_file()


def test_cli_runs_with_ray_on_the_cluster(cluster, tmp_path):
    run_dir = tmp_path / "run"
    autoexp(
        "run", str(TOY), "--agent", "oracle", "--executor", "ray", "--ray-address", cluster,
        "--run-dir", str(run_dir), "--no-progress", "--no-report",
    )  # fmt: skip
    (attempt,) = (run_dir / "attempts").iterdir()
    assert '"status": "passed"' in (attempt / "attempt.json").read_text()
    assert '"executor": "ray"' in (run_dir / "run.json").read_text()


def test_cli_refuses_an_address_where_nothing_answers(tmp_path):
    run_dir = tmp_path / "run"
    proc = autoexp(
        "run", str(TOY), "--agent", "oracle", "--executor", "ray", "--ray-address",
        "127.0.0.1:9", "--run-dir", str(run_dir), check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "--ray-address 127.0.0.1:9: nothing answers" in " ".join(proc.stderr.split())
    assert not run_dir.exists()


def test_cli_without_ray_says_how_to_install_it(tmp_path):
    run_dir = tmp_path / "run"
    code = (
        "import sys; sys.modules['ray'] = None; from autoexp.cli import main; "
        f"sys.argv = ['autoexp', 'run', {str(TOY)!r}, '--executor', 'ray', "
        f"'--run-dir', {str(run_dir)!r}]; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'autoexp[ray]'" in " ".join(proc.stderr.split())
    assert not run_dir.exists()
