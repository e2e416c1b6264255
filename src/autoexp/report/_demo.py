"""A synthetic run directory, for demos, the report benchmark and tests.

Records go through `SqliteStore.put_many` (in batches of `_BATCH`: the rows `put` writes, without
a transaction per attempt); some attempts also get attempt.json, trajectory.json, bodies.json
and workspace.diff files, as a run writes them.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from autoexp.agents._types import AgentSpec, Setting, Trajectory, TrajectoryStep
from autoexp.grading._types import ExperimentOutcome, Grade, MetricOutcome, Reason, Status
from autoexp.runner._store import SqliteStore
from autoexp.runner._types import AttemptRecord, AttemptSpec

_TASKS: dict[str, dict[str, object]] = {
    "toy-stats": {
        "functions": {
            "stats.py::mean": "    return sum(xs) / len(xs)\n",
            "stats.py::variance": (
                "    m = mean(xs)\n    return sum((x - m) ** 2 for x in xs) / (len(xs) - ddof)\n"
            ),
            "stats.py::Scaler.fit": (
                "    self.mu = mean(xs)\n"
                "    self.sigma = variance(xs, ddof=1) ** 0.5\n"
                "    return self\n"
            ),
        },
        "experiments": {"moments": {"mean": 3.030526, "var": 3.714029}, "scaled": {"max_z": 2.06}},
    },
    "kmeans-pp": {
        "functions": {
            "kmeans.py::kmeanspp_init": (
                "    centers = [X[rng.integers(len(X))]]\n"
                "    for _ in range(1, k):\n"
                "        d2 = np.min(((X[:, None] - np.array(centers)) ** 2).sum(-1), axis=1)\n"
                "        centers.append(X[rng.choice(len(X), p=d2 / d2.sum())])\n"
                "    return np.array(centers)\n"
            ),
            "kmeans.py::lloyd_step": (
                "    labels = assign(X, centers)\n"
                "    return np.array([X[labels == j].mean(0) for j in range(len(centers))])\n"
            ),
            "kmeans.py::assign": (
                "    return np.argmin(((X[:, None] - centers) ** 2).sum(-1), axis=1)\n"
            ),
            "metrics.py::inertia": ("    return float(((X - centers[labels]) ** 2).sum())\n"),
        },
        "experiments": {"inertia": {"inertia": 78.85}, "iters": {"iterations": 7.0}},
    },
    "logreg-irls": {
        "functions": {
            "irls.py::IRLS.step": (
                "    p = sigmoid(X @ self.w)\n"
                "    W = p * (1 - p)\n"
                "    H = X.T @ (X * W[:, None]) + self.l2 * np.eye(X.shape[1])\n"
                "    self.w += np.linalg.solve(H, X.T @ (y - p) - self.l2 * self.w)\n"
            ),
            "irls.py::sigmoid": "    return 1.0 / (1.0 + np.exp(-z))\n",
            "evaluate.py::log_loss": (
                "    p = np.clip(p, 1e-12, 1 - 1e-12)\n"
                "    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())\n"
            ),
        },
        "experiments": {
            "accuracy": {"acc": 0.958},
            "loss": {"log_loss": 0.1123},
            "iterations": {"iters": 6.0},
        },
    },
}

_AGENTS = [
    (AgentSpec(name="oracle"), 1.0, 0.0),
    (AgentSpec(name="noop"), 0.0, 0.0),
    (AgentSpec(name="react", model="gpt-4o-mini"), 0.75, 0.6e-6),
    (AgentSpec(name="command", model="my-agent", options={"cmd": "my-agent {prompt}"}), 0.6, None),
]

_FAIL_REASONS = [
    Reason.WRONG_RESULT,
    Reason.WRONG_RESULT,
    Reason.CRASH,
    Reason.MISSING_METRIC,
    Reason.TIMEOUT,
    Reason.BUDGET,
    Reason.NO_REPORT,
]


def _trajectory(spec: AttemptSpec, rng: random.Random, status: Status) -> Trajectory:
    fn = spec.combo[0] if spec.combo else "stats.py::mean"
    path = fn.split("::")[0]
    steps = [
        TrajectoryStep(
            index=0,
            kind="model",
            content=f"I will read {path} first and look for the masked function {fn}.",
            tool_calls=[
                {"id": "c0", "name": "bash", "arguments": json.dumps({"cmd": f"cat {path}"})}
            ],
            tokens_in=1800 + rng.randint(0, 400),
            tokens_out=60 + rng.randint(0, 40),
            duration_s=1.2,
        ),
        TrajectoryStep(
            index=1,
            kind="tool",
            tool_name="bash",
            tool_args={"cmd": f"cat {path}"},
            content=(
                f"def {fn.split('::')[1].split('.')[-1]}(xs):\n"
                '    """The description kept as docstring."""\n'
                "    raise NotImplementedError\n"
                "\n# helpers\nif len(xs) < 2 and ddof > 0:\n    return float('nan')\n"
            ),
            duration_s=0.05,
        ),
        TrajectoryStep(
            index=2,
            kind="model",
            content="The body must follow the paper's definition; writing it now, then running the experiments.",
            tool_calls=[
                {"id": "c1", "name": "edit_file", "arguments": json.dumps({"path": path})},
                {
                    "id": "c2",
                    "name": "bash",
                    "arguments": json.dumps({"cmd": "python run.py --exp all"}),
                },
            ],
            tokens_in=2600 + rng.randint(0, 400),
            tokens_out=240 + rng.randint(0, 80),
            duration_s=3.4,
        ),
        TrajectoryStep(
            index=3,
            kind="tool",
            tool_name="bash",
            tool_args={"cmd": "python run.py --exp all"},
            content='{"mean": 3.0305, "var": 3.7140}\n',
            duration_s=0.8,
        ),
    ]
    ended_by = "submitted" if status is Status.PASSED or rng.random() < 0.7 else "budget:max_steps"
    steps.append(
        TrajectoryStep(
            index=4,
            kind="model",
            content="Submitting the results." if ended_by == "submitted" else None,
            tool_calls=[{"id": "c3", "name": "submit", "arguments": '{"results": {}}'}],
            tokens_in=3100,
            tokens_out=90,
            duration_s=1.0,
        )
    )
    steps.append(TrajectoryStep(index=5, kind="note", content=f"agent ended: {ended_by}"))
    return Trajectory(
        agent=spec.agent.label,
        model=spec.agent.model,
        prompt=f"You are given a paper and its code with {spec.n} masked function(s)...",
        steps=steps,
        ended_by=ended_by,
    )


def _grade(
    task: dict[str, object], status: Status, reason: Reason, fabricated: bool, rng: random.Random
) -> Grade:
    experiments = task["experiments"]
    assert isinstance(experiments, dict)
    outcomes = []
    bad = rng.choice(sorted(experiments)) if status is Status.FAILED else None
    for exp_id, metrics in experiments.items():
        ok = exp_id != bad and (status is Status.PASSED or rng.random() < 0.5)
        mos = {}
        for name, expected in metrics.items():
            tol = 1e-4 * abs(expected)
            verified = expected * (1 + 1e-6) if ok else expected * (1 + rng.uniform(0.05, 0.4))
            if not ok and reason in (Reason.CRASH, Reason.TIMEOUT, Reason.MISSING_METRIC):
                verified = None
            reported = expected if (ok or fabricated) else verified
            mos[name] = MetricOutcome(
                expected=expected,
                tolerance=tol,
                reported=reported,
                verified=verified,
                reported_ok=reported is not None and abs(reported - expected) <= tol,
                verified_ok=ok,
            )
        outcomes.append(
            ExperimentOutcome(
                id=exp_id,
                metrics=mos,
                passed=ok,
                reported_passed=all(m.reported_ok for m in mos.values()),
                reason=Reason.NONE if ok else reason,
                exit_code=0 if ok or reason is not Reason.CRASH else 1,
                stderr_tail=""
                if ok or reason is not Reason.CRASH
                else "Traceback ...\nNotImplementedError",
                duration_s=0.4,
            )
        )
    n_pass = sum(o.passed for o in outcomes)
    if status is Status.FAILED and n_pass == len(outcomes):
        outcomes[0].passed = False
        n_pass -= 1
    return Grade(
        status=status,
        reason=reason,
        detail=f"{n_pass}/{len(outcomes)} experiments reproduced",
        experiments=outcomes,
        fabricated=fabricated,
        experiments_passed=n_pass / len(outcomes),
        functions_correct=None,
    )


def make_demo_run(
    run_dir: str | Path,
    attempts: int = 400,
    *,
    trials: int = 3,
    seed: int = 0,
    files: int | None = None,
) -> Path:
    """Write a synthetic run (results.sqlite, run.json, attempt files) and return its directory.

    `files`: how many attempts get attempt.json / trajectory.json / bodies.json /
    workspace.diff (None: all of them).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    settings = [Setting(), Setting(commands="hidden")]
    (run_dir / "run.json").write_text(
        json.dumps({"schema_version": 1, "demo": True, "seed": seed, "trials": trials}, indent=1)
    )
    written = 0
    variants = max(1, attempts // 300)
    seen: set[tuple] = set()
    pending: list[AttemptRecord] = []
    with SqliteStore(run_dir / "results.sqlite") as store:
        while written < attempts:
            for agent, p_base, price in _AGENTS:
                for setting in settings if agent.model else settings[:1]:
                    base = rng.choice(sorted(_TASKS))
                    task = _TASKS[base]
                    task_id = base if variants == 1 else f"{base}-{rng.randrange(variants)}"
                    fns = sorted(task["functions"])  # type: ignore[arg-type]
                    n = rng.randint(1, min(3, len(fns)))
                    combo = tuple(sorted(rng.sample(fns, n)))
                    if (task_id, agent.label, setting.label, combo) in seen:
                        continue
                    seen.add((task_id, agent.label, setting.label, combo))
                    for trial in range(trials):
                        if written >= attempts:
                            store.put_many(pending)
                            return run_dir
                        spec = AttemptSpec(
                            task_id=task_id,
                            task_root=f"/tasks/{task_id}",
                            agent=agent,
                            combo=combo,
                            trial=trial,
                            setting=setting,
                        )
                        record = _record(spec, base, p_base, price, rng)
                        pending.append(record)
                        if len(pending) >= _BATCH:
                            store.put_many(pending)
                            pending.clear()
                        if files is None or written < files:
                            _write_files(run_dir, record, task, rng)
                        written += 1
        store.put_many(pending)
    return run_dir


_BATCH = 500
"""Records written per transaction (few enough that memory stays flat for any run size)."""


def _record(
    spec: AttemptSpec, base: str, p_base: float, price: float | None, rng: random.Random
) -> AttemptRecord:
    model_agent = spec.agent.model is not None
    p = p_base * (0.8 ** (spec.n - 1)) * (0.8 if spec.setting.commands == "hidden" else 1.0)
    if p_base == 1.0:
        p = 1.0
    u = rng.random()
    task = _TASKS[base]
    fabricated = False
    if model_agent and u < 0.04:
        status, reason = Status.INFRA_ERROR, rng.choice([Reason.SANDBOX, Reason.MODEL_API])
        grade = None
    elif model_agent and u < 0.05:
        status, reason, grade = Status.GRADER_ERROR, Reason.LEAK, None
    elif rng.random() < p:
        status, reason = Status.PASSED, Reason.NONE
        grade = _grade(task, status, reason, False, rng)
    else:
        status = Status.FAILED
        reason = Reason.NO_REPORT if not model_agent else rng.choice(_FAIL_REASONS)
        fabricated = model_agent and reason is Reason.WRONG_RESULT and rng.random() < 0.3
        grade = _grade(task, status, reason, fabricated, rng)
    tokens_in = rng.randint(6000, 40000) if model_agent else 0
    tokens_out = rng.randint(300, 4000) if model_agent else 0
    cost = None if price is None else price * (tokens_in + 4 * tokens_out)
    reported = None
    if grade is not None and reason is not Reason.NO_REPORT:
        reported = {
            o.id: {k: m.reported for k, m in o.metrics.items() if m.reported is not None}
            for o in grade.experiments
        }
    error = "sandbox: bwrap exited 1" if status is Status.INFRA_ERROR else None
    return AttemptRecord(
        attempt_id=spec.attempt_id,
        spec=spec,
        grade=grade or Grade(status=status, reason=reason, detail=error or reason.value),
        reported=reported,
        model=spec.agent.model,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        cost_usd=cost,
        steps=5 if model_agent else 0,
        wall_s=round(rng.uniform(2, 30) if model_agent else rng.uniform(0.5, 2), 3),
        agent_wall_s=1.0,
        isolation="bubblewrap",
        error=error,
        started_at="2025-01-01T00:00:00+00:00",
        finished_at="2025-01-01T00:00:10+00:00",
    )


def _write_files(
    run_dir: Path, record: AttemptRecord, task: dict[str, object], rng: random.Random
) -> None:
    d = run_dir / "attempts" / record.attempt_id
    d.mkdir(parents=True, exist_ok=True)
    (d / "attempt.json").write_text(record.model_dump_json(indent=1))
    functions = task["functions"]
    assert isinstance(functions, dict)
    bodies: dict[str, dict[str, str | None]] = {}
    for fn in record.spec.combo:
        original = functions[fn]
        if record.spec.agent.name == "oracle" or record.status is Status.PASSED:
            agent_body: str | None = original
        elif record.spec.agent.name == "noop":
            agent_body = None
        else:
            lines = original.splitlines(keepends=True)
            lines[-1] = lines[-1].replace("return ", "return 0.5 * ") or lines[-1]
            agent_body = "".join(lines) + ("    # tweaked\n" if rng.random() < 0.5 else "")
        bodies[fn] = {"original": original, "agent": agent_body}
    (d / "bodies.json").write_text(json.dumps(bodies, indent=1))
    if record.spec.agent.model:
        _trajectory(record.spec, rng, record.status).save(d / "trajectory.json")
    diff = [f"--- a/{fn.split('::')[0]}\n+++ b/{fn.split('::')[0]}\n" for fn in record.spec.combo]
    (d / "workspace.diff").write_text("".join(diff))
