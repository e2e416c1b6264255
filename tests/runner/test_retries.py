"""Issue 17, item 4: infra errors are retried within the run, after a backoff, up to
max_retries. Real faults: a model server that fails its first request and then answers, and a
sandbox that cannot start."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable

import pytest

from autoexp.agents import AgentSpec
from autoexp.models import FakeServer
from autoexp.runner import (
    AttemptRecord,
    AttemptSpec,
    LocalExecutor,
    RunConfig,
    SqliteStore,
    plan_attempts,
    run,
)
from autoexp.runner._run import _crashed, retry_delay
from autoexp.sandbox import SandboxConfig
from autoexp.tasks import load_task

from conftest import TOY

VARIANCE = (
    "```python\ndef variance(xs, ddof=1):\n    m = mean(xs)\n"
    "    return sum((x - m) ** 2 for x in xs) / (len(xs) - ddof)\n```"
)
"""The agentless model's answer: the right body of stats.py::variance."""


class Timed:
    """The local pool, noting when each round starts and when each record arrives."""

    def __init__(self) -> None:
        self.pool = LocalExecutor(1, on_crash=_crashed)
        self.rounds: list[float] = []
        self.records: list[float] = []

    def map(
        self, fn: Callable[[AttemptSpec], AttemptRecord], specs: Iterable[AttemptSpec]
    ) -> Generator[AttemptRecord, None, None]:
        self.rounds.append(time.monotonic())
        for record in self.pool.map(fn, specs):
            self.records.append(time.monotonic())
            yield record


def _seed_masking(function: str) -> int:
    task = load_task(TOY)
    return next(
        seed
        for seed in range(50)
        if plan_attempts([task], RunConfig(ns=[1], seed=seed))[0][0].combo == (function,)
    )


@pytest.mark.fault
def test_model_api_error_is_retried_in_the_run_after_a_backoff_and_passes(tmp_path):
    run_dir = tmp_path / "run"
    script = [{"error": 500, "error_message": "overloaded"}, {"text": VARIANCE}]
    with FakeServer(script) as srv:
        agent = AgentSpec(
            name="agentless", model="fake", base_url=srv.base_url, options={"max_retries": 0}
        )
        cfg = RunConfig(
            tasks=[str(TOY)],
            agents=[agent],
            ns=[1],
            seed=_seed_masking("stats.py::variance"),
            max_retries=2,
            retry_backoff_s=0.3,
            preflight=False,
        )
        executor = Timed()
        res = run(cfg, run_dir, progress=False, executor=executor)
        requests = len(srv.chat_requests())
    assert requests == 2  # the failed one, then the answer
    (rec,) = res.executed
    assert (rec.status.value, rec.retries, res.retried) == ("passed", 1, 1)
    # the retry waited its backoff after the failure
    assert len(executor.rounds) == 2
    assert executor.rounds[1] - executor.records[0] >= 0.3
    with SqliteStore(run_dir / "results.sqlite") as store:
        (stored,) = store.all()
    assert (stored.status.value, stored.retries) == ("passed", 1)


@pytest.mark.fault
def test_a_lasting_infra_error_is_retried_up_to_max_retries_then_kept(tmp_path):
    run_dir = tmp_path / "run"
    cfg = RunConfig(
        tasks=[str(TOY)],
        agents=[AgentSpec(name="oracle")],
        ns=[1],
        sandbox=SandboxConfig(extra_ro=[tmp_path / "does-not-exist"]),  # bwrap cannot start
        backend="bwrap",
        max_retries=2,
        retry_backoff_s=0.0,
    )
    res = run(cfg, run_dir, progress=False)
    (rec,) = res.executed
    assert (rec.status.value, rec.reason.value, rec.retries, res.retried) == (
        "infra_error",
        "sandbox",
        2,
        2,
    )
    # nothing left to retry: a resume keeps it
    res = run(None, run_dir, resume=True, progress=False)
    assert res.executed == [] and res.kept == 1


@pytest.mark.parametrize(
    ("base", "cap", "delays"),
    [(1.0, 30.0, [1.0, 2.0, 4.0, 8.0]), (1.0, 3.0, [1.0, 2.0, 3.0, 3.0]), (0.0, 30.0, [0.0] * 4)],
)
def test_retry_delay_doubles_up_to_its_cap(base, cap, delays):
    cfg = RunConfig(retry_backoff_s=base, max_retry_backoff_s=cap)
    assert [retry_delay(cfg, k) for k in (1, 2, 3, 4)] == delays
