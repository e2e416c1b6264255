"""autoexp_suite's dataset: the same (task, combo)s `autoexp run` plans, the same prompt."""

from __future__ import annotations

import pytest

from autoexp.agents._types import AgentSpec
from autoexp.inspect import SampleInfo, autoexp_suite
from autoexp.runner._plan import RunConfig, plan_attempts
from autoexp.runner._session import Session
from autoexp.tasks._load import resolve_tasks


def test_samples_are_the_run_plan_and_the_session_prompt():
    tasks = ["naive-bayes", "kmeans-pp"]
    suite = autoexp_suite(tasks=",".join(tasks), n=2, combos_per_n=2, seed=3)
    config = RunConfig(tasks=tasks, agents=[AgentSpec(name="x")], ns=[2], combos_per_n=2, seed=3)
    specs, _ = plan_attempts(resolve_tasks(tasks), config)
    planned = [(s.task_id, s.combo) for s in specs]
    infos = [SampleInfo.model_validate(s.metadata) for s in suite.dataset]
    assert [(i.task_id, i.combo) for i in infos] == planned
    ids = [s.id for s in suite.dataset]
    assert len(set(ids)) == len(ids)
    assert ids[0] == f"{infos[0].task_id}/{'+'.join(infos[0].combo)}"
    assert ids == [s.id for s in autoexp_suite(tasks=tasks, n=2, combos_per_n=2, seed=3).dataset]

    first = infos[0]
    with Session(first.task_root, first.combo, agent_name="inspect") as session:
        if session.sandbox.isolation.value == "bubblewrap":
            assert suite.dataset[0].input == session.prompt_text
    assert "/workspace" in suite.dataset[0].input


def test_bad_parameters_are_clear_errors():
    with pytest.raises(ValueError, match="no \\(task, combo\\)"):
        autoexp_suite(tasks="naive-bayes", n=99)
    with pytest.raises(ValueError):
        autoexp_suite(tasks="naive-bayes", combos="nope")
