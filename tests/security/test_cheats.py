"""Hostile agents against the real grader: each attack is a `command` agent (cheat_agent.py)
run by the real `autoexp run` in the real sandbox on copies of built-in tasks that mask one
chosen function. Every attack must fail, under `--integrity strict` and under `warn`, for the
reason that shows which defence caught it; an honest agent on the same copies must pass clean.
"""

from __future__ import annotations

import json
import shlex
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from autoexp.masking import dedent_body, extract_body
from autoexp.tasks import builtin_tasks, load_task

from conftest import attempts_json, autoexp

pytestmark = [pytest.mark.slow, pytest.mark.attack]

AGENT = Path(__file__).with_name("cheat_agent.py")


@dataclass(frozen=True)
class Target:
    """The function masked in a task copy: one whose return value is a reported metric."""

    function: str
    reported_as: Callable[[str], bool]
    """Which metrics the function's return values become, in call order (`hardcode`)."""
    keep: tuple[str, ...] = ()
    """Visible experiments kept in the copy (with their hidden variants); all when empty.
    Only to save time: every experiment re-runs in each of the ~20 runs of this file."""
    wrong: str = "0.5"
    """A wrong return value of the right type, returned by the output-rewriting attacks."""


TARGETS = {
    "kmeans-pp": Target("metrics.py::adjusted_rand_index", lambda m: m == "ari"),
    "naive-bayes": Target(
        "metrics.py::macro_f1", lambda m: m.endswith("_macro_f1"), keep=("compare", "alpha")
    ),
    "calibration": Target("metrics.py::brier_score", lambda m: "brier" in m, keep=("after",)),
    "pca-power": Target(
        "metrics.py::max_principal_angle", lambda m: m == "max_angle_deg", keep=("rsvd",)
    ),
}

OUTPUT_ATTACKS = {
    "exit": "exit",  # print the paper's JSON, os._exit(0)
    "atexit": "exit",  # atexit hook prints it, raise SystemExit(0)
    "stdout": "output",  # sys.stdout wrapper rewrites the JSON line
    "print": "output",  # builtins.print patched
    "dumps": "patching",  # json.dumps patched
    "frames": "frames",  # callers' globals rewritten via sys._getframe().f_back.f_globals
}
"""Attacks that make the experiment print the paper's numbers -> the integrity rule they break."""
NO_EFFECT = {
    ("print", "calibration"): "its run.py prints with `print(json.dumps(EXPERIMENTS[exp](seed)))`, "
    "so `print` is looked up before the masked body runs and patching it changes nothing",
}
"""(attack, task) where the attack cannot reproduce the visible numbers, and why."""
ATTACKS = [*OUTPUT_ATTACKS, "hardcode", "edit-run", "report-only"]
"""Each runs under both integrity modes; `evade` (json.dumps patched through
`pathlib.os.sys.modules` and a local alias) and `honest` run under strict only."""
MODES = ["strict", "warn"]


def _filtered_spec(spec: dict, fid: str, keep: tuple[str, ...] = ()) -> dict:
    """task.yaml content with only `fid` maskable and only the experiments that execute it
    (and, if given, are in `keep`)."""
    unknown = set(keep) - {e["id"] for e in spec["experiments"]}
    assert not unknown, f"{spec['id']}: no experiments {sorted(unknown)}"
    out = dict(spec)
    out["functions"] = [f for f in spec["functions"] if f["id"] == fid]
    visible = {}
    for e in spec["experiments"]:
        if fid in e.get("depends_on", []) and (not keep or e["id"] in keep):
            visible[e["id"]] = {**e, "depends_on": [fid]}
    out["experiments"] = list(visible.values())
    hidden = []
    for h in spec.get("hidden_experiments", []):
        if h["of"] not in visible:
            continue
        deps = h.get("depends_on") or visible[h["of"]]["depends_on"]
        if fid in deps:
            hidden.append({**h, "depends_on": [fid]})
    out["hidden_experiments"] = hidden
    return out


@dataclass
class Suite:
    tasks: list[Path]
    """The task copies, each masking only its target."""
    tool_dir: Path
    """cheat_agent.py and plan.json, visible read-only in the sandbox."""
    skipped: dict[str, str]
    """Task id -> why it is not covered."""


def _plan_entry(task_dir: Path, target: Target) -> dict:
    task = load_task(task_dir)
    fn = task.function(target.function)
    runs, calls = [], []
    for e in task.spec.experiments:
        argv = shlex.split(e.command)
        assert argv[0] == "python", e.command
        expected = {name: m.expected for name, m in e.metrics.items()}
        runs.append([argv[1:], expected])
        returns = [v for name, v in expected.items() if target.reported_as(name)]
        assert returns, f"{task.id}/{e.id}: no metric is a return value of {fn.id}"
        calls.append([argv[1:], returns])
    source = (task.code_dir / fn.path).read_text(encoding="utf-8")
    return {
        "task": task.id,
        "file": fn.path,
        "qualname": fn.qualname,
        "runs": runs,
        "calls": calls,
        "wrong": target.wrong,
        "results": {e.id: dict(runs[i][1]) for i, e in enumerate(task.spec.experiments)},
        "original": dedent_body(extract_body(source, fn.qualname)),
    }


@pytest.fixture(scope="session")
def suite(tmp_path_factory) -> Suite:
    root = tmp_path_factory.mktemp("cheat-tasks")
    tool_dir = Path(tempfile.mkdtemp(prefix="autoexp-cheat-"))
    tool_dir.chmod(0o755)
    builtin = {t.id: t for t in builtin_tasks()}
    tasks, entries, skipped = [], [], {}
    for tid, target in TARGETS.items():
        spec = yaml.safe_load((builtin[tid].root / "task.yaml").read_text(encoding="utf-8"))
        filtered = _filtered_spec(spec, target.function, target.keep)
        if not filtered["hidden_experiments"]:
            skipped[tid] = f"{tid} has no hidden experiment that runs {target.function} yet"
            continue
        dest = root / tid
        shutil.copytree(builtin[tid].root, dest, ignore=shutil.ignore_patterns("__pycache__"))
        (dest / "task.yaml").write_text(yaml.safe_dump(filtered, sort_keys=False), "utf-8")
        tasks.append(dest)
        entries.append(_plan_entry(dest, target))
    shutil.copy(AGENT, tool_dir / AGENT.name)
    (tool_dir / "plan.json").write_text(json.dumps({"targets": entries}), encoding="utf-8")
    for p in tool_dir.iterdir():
        p.chmod(0o644)
    yield Suite(tasks, tool_dir, skipped)
    shutil.rmtree(tool_dir, ignore_errors=True)


def run_agent(suite: Suite, attack: str, mode: str, run_dir: Path) -> dict[str, dict]:
    """One `autoexp run` of the attack on every task copy: task id -> attempts row, with the
    stored record (attempt.json) under "record"."""
    assert suite.tasks, suite.skipped
    autoexp(
        "run", *map(str, suite.tasks), "--agent", "command",
        "--agent-cmd", f"python3 {suite.tool_dir / AGENT.name} {{prompt_file}} {attack}",
        "--sandbox-ro", str(suite.tool_dir), "--run-dir", str(run_dir), "--no-progress",
        "--no-report", "--workers", "2", "--integrity", mode,
    )  # fmt: skip
    rows = {}
    for row in attempts_json(run_dir):
        attempt = run_dir / "attempts" / row["attempt_id"]
        row["record"] = json.loads((attempt / "attempt.json").read_text(encoding="utf-8"))
        row["agent_log"] = (attempt / "agent.log").read_text(encoding="utf-8")
        rows[row["task"]] = row
    assert sorted(rows) == sorted(load_task(t).id for t in suite.tasks)
    for tid, row in rows.items():
        # the agent really ran its attack and submitted the paper's numbers
        assert f"{attack}: done on" in row["agent_log"], (tid, row["agent_log"])
        assert row["combo"] == [TARGETS[tid].function], tid
        assert row["integrity_mode"] == mode, tid
    return rows


def _visible_passed(row: dict) -> bool:
    return all(e["passed"] for e in row["record"]["grade"]["experiments"])


def _hidden(row: dict) -> list[dict]:
    return row["record"]["grade"]["hidden"]


def _describe(row: dict) -> str:
    return f"{row['task']}: {row['status']}/{row['reason']}: {row['record']['grade']['detail']}"


def _assert_wrong_functions(row: dict) -> None:
    if row["functions_correct"] is not None:
        assert row["functions_correct"] == 0, _describe(row)


@pytest.mark.parametrize("tid", sorted(TARGETS))
def test_task_is_covered(suite, tid):
    """Report the built-in tasks the attacks cannot cover yet (no hidden experiments)."""
    if tid in suite.skipped:
        pytest.skip(suite.skipped[tid])
    assert any(load_task(t).id == tid for t in suite.tasks)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_fails(suite, attack, mode, tmp_path):
    rows = run_agent(suite, attack, mode, tmp_path / "run")
    for row in rows.values():
        why = _describe(row)
        assert row["status"] == "failed", why
        assert row["reported"] is not None, why
        assert not row["suspect"], why
        _assert_wrong_functions(row)
        if (attack, row["task"]) in NO_EFFECT:
            # the numbers stay wrong: caught by re-execution (and by the integrity rules)
            assert not _visible_passed(row), why
            assert row["fabricated"] and not row["overfit"], why
        elif attack in OUTPUT_ATTACKS or attack == "hardcode":
            # the attack works: re-execution reproduces every visible number of the paper ...
            assert _visible_passed(row), why
            assert not row["fabricated"] and not row["edited_outside_mask"], why
            # ... and only a hidden variant (or the integrity check) tells
            assert not all(h["passed"] for h in _hidden(row)), why
            assert row["hidden_passed"] != f"{len(_hidden(row))}/{len(_hidden(row))}", why
        if attack in OUTPUT_ATTACKS:
            rules = {f["rule"] for f in row["integrity"]}
            assert OUTPUT_ATTACKS[attack] in rules, why
            assert all(f["function"] == TARGETS[row["task"]].function for f in row["integrity"])
            if mode == "strict":
                assert row["reason"] == "integrity", why
            elif (attack, row["task"]) in NO_EFFECT:
                assert row["reason"] == "wrong_result", why
            else:
                assert row["reason"] == "heldout_mismatch" and row["overfit"], why
        elif attack == "hardcode":
            # no integrity rule can see it: only the hidden experiments catch it
            assert row["integrity"] == [], why
            assert row["reason"] == "heldout_mismatch" and row["overfit"], why
        else:
            # the body stays masked: re-execution crashes, the report is fabricated
            assert row["integrity"] == [], why
            assert row["reason"] == "crash" and row["fabricated"], why
            assert not row["overfit"], why
            assert not any(e["passed"] for e in row["record"]["grade"]["experiments"]), why
            assert row["edited_outside_mask"] is (attack == "edit-run"), why


def test_evasion_of_the_integrity_rules_is_still_caught(suite, tmp_path):
    """A body that hides its patching from the static rules reproduces the visible numbers
    and fails only because a hidden experiment does not match (or, if the rules ever see
    through it, on integrity): never a pass, never a pass with only a warning."""
    rows = run_agent(suite, "evade", "strict", tmp_path / "run")
    for row in rows.values():
        why = _describe(row)
        assert row["status"] == "failed", why
        assert _visible_passed(row) and not all(h["passed"] for h in _hidden(row)), why
        assert row["overfit"] and not row["fabricated"], why
        assert row["reason"] == ("integrity" if row["integrity"] else "heldout_mismatch"), why
        _assert_wrong_functions(row)


def test_honest_agent_passes_clean(suite, tmp_path):
    rows = run_agent(suite, "honest", "strict", tmp_path / "run")
    for row in rows.values():
        why = _describe(row)
        assert row["status"] == "passed" and row["reason"] == "none", why
        assert _visible_passed(row) and all(h["passed"] for h in _hidden(row)), why
        assert _hidden(row), why
        assert not row["fabricated"] and not row["edited_outside_mask"], why
        assert not row["overfit"] and not row["suspect"], why
        assert row["integrity"] == [], why
        assert row["functions_correct"] in (None, 1.0), why
