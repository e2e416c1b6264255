"""`autoexp tasks validate`: a good task passes every check; each kind of defect is caught."""

from __future__ import annotations

import json
import shutil

import yaml

from conftest import TOY, autoexp


def test_toy_task_validates():
    proc = autoexp("tasks", "validate", str(TOY), "--json")
    (res,) = json.loads(proc.stdout)
    assert res["ok"], [c for c in res["checks"] if not c["ok"]]
    names = {c["name"] for c in res["checks"]}
    assert {
        "oracle moments",
        "oracle scaled",
        "mask stats.py::mean",
        "depends_on scaled",
        "paper has no code",
        "mutant variance-biased.py",
    } <= names
    assert all(m["killed_by"] for m in res["mutants"]) and len(res["mutants"]) == 3


def test_each_defect_is_a_failed_check(tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(TOY, bad)
    spec = yaml.safe_load((bad / "task.yaml").read_text())
    wrong = {**spec["experiments"][0], "id": "moments-wrong"}
    wrong["metrics"] = {"var": {"expected": 9.0, "rtol": 0.01}}  # the oracle cannot reproduce
    spec["experiments"].append(wrong)
    spec["experiments"][0]["depends_on"].append("stats.py::Scaler.fit")  # not executed
    (bad / "task.yaml").write_text(yaml.safe_dump(spec))
    (bad / "hidden" / "mutants" / "mean-equivalent.py").write_text(
        "# mutant-of: stats.py::mean\n# bug: none really\ndef mean(xs):\n"
        "    return sum(xs) / len(xs)\n"
    )
    with (bad / "paper.md").open("a") as f:
        f.write("\nWe compute sq = [(x - m) ** 2 for x in xs] first.\n")
    run_py = bad / "code" / "run.py"
    run_py.write_text(
        run_py.read_text().replace(  # only the `scaled` output varies
            'print("toy study", args.exp)',
            'import os\n    print("toy study", args.exp, os.urandom(4).hex() if args.exp == "scaled" else "")',
        )
    )

    proc = autoexp("tasks", "validate", str(bad), "--json", check=False)
    assert proc.returncode == 1
    (res,) = json.loads(proc.stdout)
    failed = {c["name"]: c["detail"] for c in res["checks"] if not c["ok"]}
    assert "wrong_result" in failed["oracle moments-wrong"]
    assert "not deterministic" in failed["oracle scaled"]
    # masking Scaler.fit is caught by no reproducing experiment (`moments` lists it wrongly)
    assert "still passes" in failed["mask stats.py::Scaler.fit"]
    assert "lists but does not execute ['stats.py::Scaler.fit']" in failed["depends_on moments"]
    assert "SURVIVED" in failed["mutant mean-equivalent.py"]
    assert "paper has no code" in failed
    assert "mask stats.py::mean" not in failed
    survived = [m for m in res["mutants"] if m["killed_by"] is None]
    assert {m["mutant"] for m in survived} == {"mean-equivalent.py", "fit-biased-std.py"}

    text = autoexp("tasks", "validate", str(bad), "--no-trace", "--no-mutants", check=False)
    assert text.returncode == 1
    assert "FAIL toy-stats: oracle moments-wrong" in text.stdout
    assert "depends_on" not in text.stdout
