"""Issue 17, item 5: a thin CLI. The options of `autoexp run` come from RunOptions' fields, the
library builds the RunConfig, `prepare` draws through the run's planner, and cli.py stays light
and short. All in-process (no run), apart from one start-up probe."""

from __future__ import annotations

import ast
import inspect
import os
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import typer.main
from pydantic import ValidationError
from typer.testing import CliRunner

import autoexp.cli
from autoexp.agents._react import ToolFormat
from autoexp.agents._types import Budget, Setting
from autoexp.cli import app
from autoexp.grading._types import IntegrityMode
from autoexp.runner import RESUMABLE_FIELDS, RunConfig, RunOptions, plan_attempts
from autoexp.runner._options import choices_of, cli_of, explain, flag_of, options_of
from autoexp.sandbox._factory import BACKENDS
from autoexp.sandbox._types import SandboxConfig
from autoexp.tasks import resolve_tasks

from conftest import TOY

RUN_OPTIONS = [
    "--agent",
    "-a",
    "--model",
    "--base-url",
    "--api-key-env",
    "--agent-cmd",
    "--agent-network",
    "--agent-env",
    "--agent-option",
    "--tool-format",
    "--n",
    "--trials",
    "--combos-per-n",
    "--combos",
    "--workers",
    "--executor",
    "--ray-address",
    "--seed",
    "--max-retries",
    "--preflight",
    "--max-api-failures",
    "--max-steps",
    "--max-tokens",
    "--max-cost",
    "--max-wall",
    "--run-dir",
    "--resume",
    "--backend",
    "--memory-mb",
    "--sandbox-ro",
    "--setting",
    "--commands",
    "--paper",
    "--descriptions",
    "--integrity",
    "--no-progress",
    "--no-report",
]
"""The options `autoexp run` had before they were generated: none may go or be renamed."""


def run_command():
    group = typer.main.get_command(app)
    return group.get_command(typer.Context(group), "run")  # served lazily, on first use


def test_run_has_exactly_the_options_of_run_options_with_their_help():
    cmd = run_command()
    params = {p.name: p for p in cmd.params if p.name != "help"}
    assert list(params) == list(RunOptions.model_fields)
    flags = [o for p in cmd.params if p.name not in ("help", "tasks") for o in p.opts]
    assert flags == RUN_OPTIONS
    for name, field in RunOptions.model_fields.items():
        p = params[name]
        assert p.help == " ".join(field.description.split()), name  # the docstring is the help
        assert p.default == field.default, name
        is_list = "list[" in str(field.annotation)
        assert (p.multiple if isinstance(p, typer.core.TyperOption) else p.nargs == -1) == is_list
    bools = {
        n: p.secondary_opts
        for n, p in params.items()
        if RunOptions.model_fields[n].annotation is bool
    }
    assert bools["agent_network"] == ["--no-agent-network"] and bools["no_progress"] == []
    assert params["trials"].min == 1 and params["combos_per_n"].min == 0


def test_run_help_lists_every_option_with_help():
    res = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert res.exit_code == 0, res.output
    for flag in RUN_OPTIONS:
        assert re.search(rf"(^|\s){re.escape(flag)}\s", res.output), flag
    assert "Budget: seconds of tool time." in res.output and "native|text" in res.output


def test_option_choices_are_the_config_models_values():
    fields = RunOptions.model_fields
    assert set(choices_of(fields["backend"])) == set(BACKENDS)
    assert set(choices_of(fields["integrity"])) == {m.value for m in IntegrityMode}
    assert set(choices_of(fields["tool_format"])) == {m.value for m in ToolFormat}
    for switch in ("commands", "paper"):
        literal = Setting.model_fields[switch].annotation
        assert set(choices_of(fields[switch])) == set(typing.get_args(literal))


def test_every_option_sets_a_real_config_field():
    """Each `Cli(sets=...)` names a RunConfig field (or a Budget / SandboxConfig sub-field), and
    every RunConfig field but the in-run retry back-offs has an option."""
    parts = {"budget": Budget, "sandbox": SandboxConfig}
    targets = {cli_of(n).sets for n in RunOptions.model_fields} - {None}
    for target in targets:
        field, _, sub = target.partition(".")
        assert field in RunConfig.model_fields, target
        assert not sub or sub in parts[field].model_fields, target
    covered = {t.partition(".")[0] for t in targets}
    assert set(RunConfig.model_fields) - covered == {"retry_backoff_s", "max_retry_backoff_s"}


def test_to_config_builds_what_the_cli_built():
    tool = Path(".")
    config = RunOptions(
        tasks=["kmeans-pp"],
        agent=["react:m1", "command", "oracle"],
        model="m0",
        agent_cmd="x {model}",
        agent_env=["K"],
        agent_option=["rounds=3", "env={A: b}"],
        n="2,1,2",
        combos_per_n=0,
        max_wall=5,
        sandbox_ro=[tool],
        setting=["pc", "pc+cmd"],
        paper="none",
        descriptions="off",
        integrity="warn",
    ).to_config()
    react, command, oracle = config.agents
    assert (react.model, command.model, oracle.model) == ("m1", "m0", None)
    assert (
        react.options
        == {
            "tool_format": "native",
            "cmd": "x {model}",
            "pass_env": ["K"],
            "rounds": 3,
            "env": {"A": "b"},
        }
        and oracle.options == {}
    )
    assert config.ns == [1, 2] and config.combos_per_n is None
    assert config.budget.max_wall_s == 5 and config.sandbox.extra_ro == [tool.resolve()]
    assert [s.label for s in config.settings] == [
        "cmd=hidden,paper=none,desc=off",
        "cmd=given,paper=none,desc=off",
    ]
    assert config.integrity is IntegrityMode.WARN
    assert RunOptions().to_config() == RunConfig(workers=RunOptions().workers)


def test_resume_changes_are_the_options_given():
    tool = Path(".")
    given = RunOptions(
        resume=True, run_dir=Path("r"), workers=3, max_steps=7, sandbox_ro=[tool], preflight=False
    )
    assert given.resume_changes() == {
        "workers": 3,
        "preflight": False,
        "budget": {"max_steps": 7},
        "sandbox": {"extra_ro": [tool.resolve()]},
    }
    assert set(given.resume_changes()) <= set(RESUMABLE_FIELDS)
    assert set(RunOptions(trials=2, setting=["pc"]).resume_changes()) == {"trials", "settings"}


def test_plan_fields_name_their_options():
    assert options_of("trials") == "--trials" and options_of("ns") == "--n"
    assert options_of("tasks") == "the tasks"
    assert options_of("settings") == "--setting, --commands, --paper, --descriptions"
    assert options_of("agents").startswith("--agent, --model, ")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"descriptions": "maybe"}, "--descriptions takes on or off, got 'maybe'"),
        ({"paper": "x"}, "--paper takes full, none or excerpts, got 'x'"),
        ({"agent_option": ["novalue"]}, "--agent-option takes KEY=VALUE, got 'novalue'"),
        ({"n": "1,x"}, "--n takes integers separated by commas, got '1,x'"),
        ({"n": ","}, "--n needs at least one integer >= 0"),
        ({"max_cost": 0}, "--max-cost: Input should be greater than 0"),
        ({"tasks": "kmeans-pp"}, "TASKS: Input should be a valid list"),
    ],
)
def test_refused_values_are_explained_in_the_cli_words(values, message):
    with pytest.raises(ValidationError) as e:
        RunOptions(**values)
    assert explain(e.value) == message
    assert flag_of("max_wall") == "--max-wall"


@pytest.mark.parametrize(("n", "seeds", "setting"), [(1, range(4), "pc+cmd"), (2, range(6), "pc")])
def test_prepare_masks_the_combo_of_the_first_attempt_run_plans(tmp_path, n, seeds, setting):
    (task,) = resolve_tasks([str(TOY)])
    combos = set()
    for seed in seeds:
        out = tmp_path / f"s{seed}"
        args = [
            "prepare",
            str(TOY),
            "--n",
            str(n),
            "--seed",
            str(seed),
            "--setting",
            setting,
            "--out",
            str(out),
        ]
        res = CliRunner().invoke(app, args, terminal_width=200)
        assert res.exit_code == 0, res.output
        masked = re.search(r"masked \d+ function\(s\): (.*)", res.output).group(1)
        config = RunOptions(tasks=[str(TOY)], n=str(n), seed=seed, setting=[setting]).to_config()
        specs, _ = plan_attempts([task], config)
        assert masked == ", ".join(specs[0].combo)
        combos.add(masked)
    assert len(combos) > 1  # the seed matters, so agreeing is not a coincidence


def test_prepare_refuses_an_n_the_planner_skips(tmp_path):
    res = CliRunner().invoke(
        app, ["prepare", str(TOY), "--n", "9", "--out", str(tmp_path / "p")], terminal_width=200
    )
    assert res.exit_code == 2 and "n=9: only 3 maskable functions" in res.output
    assert not (tmp_path / "p").exists()


def test_cli_start_up_loads_no_agent_sandbox_grader_or_runner():
    code = (
        "import sys, autoexp.cli\n"
        "heavy = ('autoexp.agents', 'autoexp.sandbox', 'autoexp.grading', 'autoexp.models', "
        "'autoexp.tasks', 'autoexp.report', 'autoexp.runner', 'autoexp.builder', 'yaml', "
        "'pydantic', 'autoexp._cli_run')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["cli.py", "_cli_run.py"])
def test_no_function_of_the_command_line_is_over_60_lines(module):
    source = Path(autoexp.cli.__file__).with_name(module).read_text(encoding="utf-8")
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 60
    ]
    assert long == []


def test_help_lists_the_lazy_commands_without_importing_them():
    code = (
        "import sys\n"
        "from autoexp.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith(('pydantic', "
        "'autoexp._cli_run'))))"
    )
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert proc.stdout.strip().endswith("LOADED []")
    for name, first in autoexp.cli.LAZY_COMMANDS.items():
        assert name in proc.stdout and first in proc.stdout


def test_lazy_commands_show_their_docstrings_first_paragraph():
    import autoexp._cli_run as lazy

    commands = {c.name: c.callback for c in lazy.app.registered_commands}
    assert set(commands) == set(autoexp.cli.LAZY_COMMANDS)
    for name, callback in commands.items():
        first = " ".join(inspect.getdoc(callback).split("\n\n")[0].split())
        assert autoexp.cli.LAZY_COMMANDS[name] == first
    res = CliRunner().invoke(app, ["build", "--help"], terminal_width=200)  # served lazily
    assert res.exit_code == 0 and "--repeats" in res.output
