"""Information settings: each preset and switch changes exactly what the agent sees, and the
oracle still scores 100 % in every setting."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import pytest

from autoexp.agents import AgentSpec
from autoexp.errors import AutoexpError
from autoexp.runner import RunConfig, plan_attempts, prepare_workspace
from autoexp.settings import PRESETS, parse_setting
from autoexp.tasks import load_task

from conftest import TOY, autoexp

FIT = "stats.py::Scaler.fit"


def _prepare(tmp_path: Path, name: str, combo=(FIT,), setting_text="pc+cmd"):
    task = load_task(TOY)
    setting = parse_setting(setting_text)
    if setting.n == 0:
        combo = ()
    return task, prepare_workspace(task, combo, tmp_path / name, setting=setting)


def _same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.diff_files:
        return False
    return all(_same_tree(a / d, b / d) for d in cmp.common_dirs)


def test_presets_and_switches_change_exactly_what_they_say(tmp_path):
    task, base = _prepare(tmp_path, "base")
    fit = task.function(FIT)
    assert "python run.py --exp scaled" in base.prompt.text
    assert task.paper().strip() in base.prompt.text
    assert fit.description in base.prompt.text
    assert fit.description in (base.workspace / "stats.py").read_text()

    # pc: the commands disappear from the prompt; the workspace is the same
    _, pc = _prepare(tmp_path, "pc", setting_text="pc")
    assert "python run.py" not in pc.prompt.text
    assert "not given" in pc.prompt.text
    assert all(e.command is None for e in pc.prompt.experiments)
    assert _same_tree(base.workspace, pc.workspace)
    assert pc.prompt.text.replace("not given", "") != base.prompt.text

    # reproduce: nothing masked (the workspace is the original code), no commands
    _, rep = _prepare(tmp_path, "rep", setting_text="reproduce")
    assert _same_tree(task.code_dir, rep.workspace)
    assert rep.prompt.functions == [] and "Nothing is masked" in rep.prompt.text
    assert "python run.py" not in rep.prompt.text
    assert {e.id for e in rep.prompt.experiments} == {"moments", "scaled"}

    # paper=none: no paper; everything else as the base
    _, nopaper = _prepare(tmp_path, "nopaper", setting_text="paper=none")
    assert nopaper.prompt.paper == "" and "## The paper" not in nopaper.prompt.text
    assert "python run.py --exp scaled" in nopaper.prompt.text
    assert _same_tree(base.workspace, nopaper.workspace)

    # paper=excerpts: only the masked function's passage of the paper
    _, exc = _prepare(tmp_path, "exc", setting_text="paper=excerpts")
    assert exc.prompt.paper == fit.paper_excerpt
    assert fit.paper_excerpt in exc.prompt.text
    assert "200 values" not in exc.prompt.text  # other passages are left out
    assert "excerpts" in exc.prompt.text

    # descriptions=off: signature only, in the prompt and in the code
    _, nodesc = _prepare(tmp_path, "nodesc", setting_text="descriptions=off")
    src = (nodesc.workspace / "stats.py").read_text()
    assert fit.description not in src and "def fit(self, xs):" in src
    assert fit.description not in nodesc.prompt.text and FIT in nodesc.prompt.text
    assert "raise NotImplementedError" in src


def test_parse_setting_errors_and_labels():
    assert parse_setting("pc") == PRESETS["pc"]
    s = parse_setting("commands=hidden,paper=excerpts,descriptions=off")
    assert s.label == "cmd=hidden,paper=excerpts,desc=off"
    assert parse_setting("commands=hidden,n=0").label == "reproduce"
    for bad in ("nonsense", "paper=some", "commands", "descriptions=maybe"):
        with pytest.raises(AutoexpError, match="use a preset"):
            parse_setting(bad)


def test_reproduce_plans_n0_whatever_the_run_n():
    task = load_task(TOY)
    cfg = RunConfig(
        ns=[1, 2],
        settings=[PRESETS["reproduce"], PRESETS["pc+cmd"]],
        agents=[AgentSpec(name="oracle")],
    )
    specs, _ = plan_attempts([task], cfg)
    by_setting: dict[str, set[int]] = {}
    for s in specs:
        by_setting.setdefault(s.setting.label, set()).add(s.n)
    assert by_setting == {"reproduce": {0}, "pc+cmd": {1, 2}}
    assert len({s.attempt_id for s in specs}) == len(specs)


def test_oracle_scores_100_in_every_setting_and_report_shows_setting_by_n(tmp_path):
    run_dir = tmp_path / "run"
    autoexp(
        "run",
        str(TOY),
        "--setting",
        "pc+cmd",
        "--setting",
        "pc",
        "--setting",
        "reproduce",
        "--setting",
        "paper=excerpts,descriptions=off",
        "--n",
        "1,2",
        "--workers",
        "2",
        "--run-dir",
        str(run_dir),
        "--no-progress",
    )
    rows = json.loads(autoexp("attempts", str(run_dir), "--json").stdout)
    settings = {r["setting"] for r in rows}
    assert settings == {"pc+cmd", "pc", "reproduce", "cmd=given,paper=excerpts,desc=off"}
    assert {r["status"] for r in rows if r["agent"] == "oracle"} == {"passed"}
    noop = [r for r in rows if r["agent"] == "noop"]
    assert {r["status"] for r in noop} == {"failed"}
    # with nothing masked the original code passes on re-execution: the report decides
    rep_noop = [r for r in noop if r["setting"] == "reproduce"]
    assert rep_noop and all(r["reason"] == "no_report" for r in rep_noop)
    summary = json.loads(autoexp("summary", str(run_dir), "--json").stdout)
    cells = {(r["agent"], r["setting"], r["n"]) for r in summary["rows"]}
    assert ("oracle", "reproduce", 0) in cells and ("oracle", "pc", 2) in cells
    autoexp("report", str(run_dir))
    html = (run_dir / "report" / "index.html").read_text()
    assert "reproduce" in html and "paper=excerpts" in html


def test_cli_switches_apply_to_prepare_and_are_checked(tmp_path):
    out = tmp_path / "p"
    autoexp(
        "prepare",
        str(TOY),
        "--functions",
        FIT,
        "--commands",
        "hidden",
        "--paper",
        "none",
        "--out",
        str(out),
    )
    prompt = (out / "prompt.md").read_text()
    assert "python run.py" not in prompt and "## The paper" not in prompt
    bad = autoexp(
        "run", str(TOY), "--descriptions", "maybe", "--run-dir", str(tmp_path / "r"), check=False
    )
    assert bad.returncode == 2 and "--descriptions takes on or off" in bad.stderr
