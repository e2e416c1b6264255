"""ResearchEnv and BatchEnv on a real built-in task in the real sandbox, driven by scripted
policies: honest, partial, cheating and idle."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Generator
from pathlib import Path

import pytest

from autoexp.env import (
    Action,
    BatchEnv,
    EnvError,
    Observation,
    ResearchEnv,
    Violation,
    draw_combo,
)
from autoexp.grading import EndState, Reason, Status
from autoexp.masking import extract_body, put_bodies
from autoexp.runner._plan import RunConfig, combos_for
from autoexp.tasks._load import builtin_tasks

Policy = Generator[Action | dict, Observation, None]
"""A scripted policy: yields actions, is sent each step's observation."""

ONE = ("text.py::count_matrix",)
"""The combo of n=1 that seed 0 draws on naive-bayes."""
TWO = ("naive_bayes.py::BernoulliNB.fit", "naive_bayes.py::MultinomialNB.fit")
"""Two functions of one file: the `alpha` experiments need only the multinomial one."""


@pytest.fixture(scope="module")
def task():
    return next(t for t in builtin_tasks() if t.id == "naive-bayes")


def _original(task, fid: str) -> str:
    fn = task.function(fid)
    return extract_body((task.code_dir / fn.path).read_text(), fn.qualname)


def honest(task, combo, restore=None) -> Policy:
    """Read each masked file, put back the original bodies of `restore` (default: all),
    run the experiments, submit what they printed."""
    restore = combo if restore is None else restore
    for path in sorted({task.function(f).path for f in combo}):
        obs = yield {"tool": "read_file", "arguments": {"path": path}}
        bodies = {task.function(f).qualname: _original(task, f) for f in restore}
        bodies = {q: b for q, b in bodies.items() if f"def {q.split('.')[-1]}" in obs.output}
        yield {
            "tool": "write_file",
            "arguments": {"path": path, "content": put_bodies(obs.output, bodies)},
        }
    results = {}
    for exp in task.experiments_for(tuple(combo)):
        obs = yield {"tool": "bash", "arguments": {"command": exp.command}}
        lines = [ln for ln in obs.output.splitlines() if ln.startswith("{")]
        if lines:
            results[exp.id] = json.loads(lines[-1])
    yield {"tool": "submit", "arguments": json.dumps({"results": results})}


def _paper(task) -> dict[str, dict[str, float]]:
    return {e.id: {k: m.expected for k, m in e.metrics.items()} for e in task.spec.experiments}


def fabricator(task, combo) -> Policy:
    """Leave the code masked; write the paper's numbers as the results and submit them."""
    paper = json.dumps(_paper(task))
    yield {"tool": "write_file", "arguments": {"path": "results.json", "content": paper}}
    yield {"tool": "submit", "arguments": {"results": _paper(task)}}


def printer(task, combo) -> Policy:
    """Make the masked body print the paper's numbers of the experiment being run and end the
    process: every visible experiment 'passes'."""
    fn = task.function(combo[0])
    obs = yield {"tool": "read_file", "arguments": {"path": fn.path}}
    body = (
        "import json, os, sys\n"
        f"paper = {_paper(task)!r}\n"
        "print(json.dumps(paper[sys.argv[sys.argv.index('--exp') + 1]]), flush=True)\n"
        "os._exit(0)\n"
    )
    yield {
        "tool": "write_file",
        "arguments": {"path": fn.path, "content": put_bodies(obs.output, {fn.qualname: body})},
    }
    yield {"tool": "submit", "arguments": {"results": _paper(task)}}


def idle(task, combo) -> Policy:
    """Do nothing useful until the step limit."""
    while True:
        yield {"tool": "bash", "arguments": {"command": "true"}}


def rollout(env: ResearchEnv, task, policy: Callable, combo=None, seed=0, **kw):
    """Run one episode; (reward, terminated, truncated, last info)."""
    obs, info = env.reset(task, combo, seed)
    assert obs.prompt and obs.step == 0 and obs.output == ""
    actions = policy(task, tuple(info["combo"]), **kw)
    action = next(actions)
    while True:
        obs, value, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return value, terminated, truncated, info
        assert value == 0.0 and "grade" not in info
        action = actions.send(obs)


@pytest.fixture(scope="module")
def episodes(task):
    """The episodes of the scripted policies, run one after the other (shared by the tests
    below and compared with the batch)."""
    out = {}
    with ResearchEnv(max_steps=12) as env:
        out["honest"] = rollout(env, task, honest, ONE)
        with pytest.raises(EnvError, match="ended"):
            env.step({"tool": "bash", "arguments": {"command": "true"}})
        out["partial"] = rollout(env, task, honest, TWO, restore=TWO[1:])
        out["fabricator"] = rollout(env, task, fabricator, ONE)
        out["printer"] = rollout(env, task, printer, ONE)
    with ResearchEnv(max_steps=3) as env:
        out["idle"] = rollout(env, task, idle, ONE)
    return out


def test_the_honest_policy_earns_one(episodes):
    value, terminated, truncated, info = episodes["honest"]
    assert (value, terminated, truncated) == (1.0, True, False)
    assert info["grade"].status is Status.PASSED, info["grade"].detail
    assert info["reward"].violations == [] and info["ended_by"] is EndState.SUBMITTED


def test_partial_work_earns_partial_credit(episodes):
    """One of two masked functions restored: the alpha experiments pass, the others crash."""
    value, terminated, _, info = episodes["partial"]
    b = info["reward"]
    assert terminated and 0.0 < value < 1.0, info["grade"].detail
    assert (b.visible, b.hidden, b.functions) == (1 / 3, 1 / 3, 0.5)
    assert value == pytest.approx(0.4 / 3 + 0.3 / 3 + 0.3 * 0.5)


def test_idling_is_truncated_at_max_steps_and_earns_nothing(episodes):
    value, terminated, truncated, info = episodes["idle"]
    assert (value, terminated, truncated) == (0.0, False, True)
    assert info["step"] == 3 and info["ended_by"] is EndState.BUDGET_STEPS
    assert info["grade"].reason is Reason.BUDGET


def test_cheating_pays_no_more_than_honest_failure(episodes):
    honest_failure = episodes["idle"][0]
    value, _, _, info = episodes["fabricator"]
    assert info["grade"].fabricated and info["reward"].violations == [Violation.FABRICATED]
    assert value <= honest_failure

    value, _, _, info = episodes["printer"]
    grade, b = info["grade"], info["reward"]
    assert all(o.passed for o in grade.experiments), grade.detail  # the trick works...
    assert (b.hidden, b.functions) == (0.0, 0.0)  # hidden and differential tests see through it
    assert b.partial == pytest.approx(0.4) and b.partial > honest_failure  # ...yet it earns,
    assert Violation.INTEGRITY in b.violations and grade.reason is Reason.INTEGRITY
    assert value == 0.0 <= honest_failure  # but the integrity finding zeroes it


def test_a_batch_in_parallel_earns_what_the_episodes_earned_one_by_one(task, episodes):
    names = ["honest", "partial", "printer"]
    combos = [ONE, TWO, ONE]
    kwargs = [{}, {"restore": TWO[1:]}, {}]
    policies = [honest, honest, printer]
    with BatchEnv(3, max_steps=12) as batch:
        observations, infos = batch.reset([(task, c, 0) for c in combos])
        assert [i["combo"] for i in infos] == [list(c) for c in combos]
        scripts = [p(task, c, **k) for p, c, k in zip(policies, combos, kwargs, strict=True)]
        actions = [next(s) for s in scripts]
        final: dict[int, float] = {}
        while len(final) < 3:
            observations, rewards, terminated, truncated, infos = batch.step(actions)
            for i, obs in enumerate(observations):
                assert "error" not in infos[i], infos[i]
                if i in final:
                    assert infos[i] == {"skipped": True}
                elif terminated[i] or truncated[i]:
                    final[i] = rewards[i]
                else:
                    actions[i] = scripts[i].send(obs)
            actions = [None if i in final else a for i, a in enumerate(actions)]
    assert [final[i] for i in range(3)] == [episodes[n][0] for n in names]


def test_one_broken_environment_does_not_stop_the_batch(task):
    with BatchEnv(2, max_steps=1, autoreset=True) as batch:
        _, infos = batch.reset([(task, ["no::such"], 0), (task, None, 0)])
        assert "TaskError" in infos[0]["error"] and infos[1]["combo"] == list(ONE)
        step = {"tool": "bash", "arguments": {"command": "echo hi"}}
        observations, rewards, _, truncated, infos = batch.step([step, step])
        assert observations[0] is None and "EnvError" in infos[0]["error"]
        assert truncated[1] and rewards[1] == 0.0
        assert "hi" in infos[1]["final_obs"].output  # autoreset: a fresh episode
        assert observations[1].step == 0 and infos[1]["final_info"]["grade"]


def test_the_combo_is_drawn_from_the_seed_as_a_run_draws_it(task):
    with ResearchEnv(n=2) as env:
        drawn = [env.reset(task, seed=s)[1]["combo"] for s in (0, 1, 0)]
    assert drawn[0] == drawn[2]
    for seed, combo in zip((0, 1), drawn, strict=False):
        planned, _ = combos_for(task, 2, RunConfig(seed=seed, combos_per_n=1))
        assert tuple(combo) == planned[0] == draw_combo(task, 2, seed)
    assert draw_combo(task, 1, 0) == ONE


def test_misuse_is_a_clear_error_and_bad_actions_are_told_to_the_policy(task):
    env = ResearchEnv(max_steps=5)
    with pytest.raises(EnvError, match="reset"):
        env.step({"tool": "bash", "arguments": {"command": "true"}})
    env.reset("naive-bayes", ONE)
    try:
        for bad in ({"tool": "rm_rf"}, {"command": "ls"}, {"tool": "read_file", "arguments": {}}):
            obs, value, terminated, truncated, _ = env.step(bad)
            assert obs.error and obs.output.startswith("Error") and value == 0.0
            assert not (terminated or truncated)
        obs = env.step({"tool": "read_file", "arguments": {"path": "../../etc/passwd"}})[0]
        assert obs.error and obs.steps_left == 1
    finally:
        env.close()
    with pytest.raises(ValueError):
        ResearchEnv(max_steps=0)


def test_the_grade_action_pays_progress_and_the_rewards_sum_to_the_final_one(task):
    with ResearchEnv(max_steps=10, grade_action=True) as env:
        assert [t["function"]["name"] for t in env.tools][-1] == "grade"
        obs, _ = env.reset(task, TWO)
        grade = {"tool": "grade"}
        paid = []
        obs, value, *_ = env.step(grade)
        paid.append(value)
        assert value == 0.0 and obs.output.startswith("graded: reward 0;")
        path = task.function(TWO[0]).path
        source = env.step({"tool": "read_file", "arguments": {"path": path}})[0].output
        qualnames = [task.function(f).qualname for f in TWO]
        half = put_bodies(source, {qualnames[1]: _original(task, TWO[1])})
        env.step({"tool": "write_file", "arguments": {"path": path, "content": half}})
        obs, value, terminated, truncated, info = env.step(grade)
        paid.append(value)
        assert not (terminated or truncated) and 0.0 < value < 1.0
        assert "visible experiments passing: 1/3" in obs.output and "seed" not in obs.output
        whole = put_bodies(half, {qualnames[0]: _original(task, TWO[0])})
        env.step({"tool": "write_file", "arguments": {"path": path, "content": whole}})
        *_, value, terminated, _, info = env.step({"tool": "submit", "arguments": {"results": {}}})
        paid.append(value)
    assert terminated and info["reward"].reward == 1.0
    assert sum(paid) == pytest.approx(1.0) and paid[2] < 1.0


def test_the_examples_of_docs_rl_run_as_written(tmp_path):
    """Each python block of docs/rl.md, in a fresh process, prints what the text says."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "rl.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```$", doc, flags=re.S | re.M)
    promised = re.findall(r"^This prints `(.+?)`(?:, then `(.+?)`)?", doc, flags=re.M)
    assert len(blocks) == len(promised) == 2
    for code, lines in zip(blocks, promised, strict=True):
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines() == [line for line in lines if line]


def test_spending_the_command_time_truncates_the_episode(task):
    """A command that would run forever is killed when max_wall_s is spent; the episode ends."""
    with ResearchEnv(max_wall_s=0.5) as env:
        env.reset(task, ONE)
        spin = {"tool": "bash", "arguments": {"command": "while :; do :; done"}}
        obs, value, terminated, truncated, info = env.step(spin)
    assert "killed" in obs.output and (value, terminated, truncated) == (0.0, False, True)
    assert info["ended_by"] is EndState.BUDGET_WALL and info["grade"].reason is Reason.BUDGET
