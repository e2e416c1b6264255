"""Issue 11, item 5: every agent's prompt is true and complete. It says how that agent submits
(and that is how it really submits), where the workspace and the paper are (and they are there),
and every path it names exists where the agent looks, or is the file the agent is to write."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from autoexp.agents import AGENTS, AgentResult, AgentSpec
from autoexp.agents._command import CommandAgent
from autoexp.agents._tools import INNER_WORKSPACE, TOOL_NAMES
from autoexp.grading import Reason, parse_report
from autoexp.models import FakeServer
from autoexp.runner import AttemptSpec, prepare_workspace, run_attempt, write_prepared
from autoexp.settings import parse_setting
from autoexp.tasks import load_task

from conftest import attempts_json, autoexp
from toyenv import TOY, original_def

SETTINGS = ["pc+cmd", "commands=hidden,paper=excerpts", "paper=none"]
COMBO = ("stats.py::mean", "stats.py::variance")
SUBMITTED = {"moments": {"mean": 1.5, "var": 2.5}, "scaled": {"max_z": 3.5}}


def flat(text: str) -> str:
    return " ".join(text.split())


def section(text: str, title: str) -> str:
    """The body of the `## title` section ('' when there is none)."""
    m = re.search(rf"^## {re.escape(title)}[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return m.group(1) if m else ""


def example_results(text: str) -> dict:
    """The results example of the prompt (its first ```json block), checked to be valid."""
    block = re.search(r"```json\n(.*?)\n```", text, re.S).group(1)
    results, error = parse_report(block)
    assert error is None and results
    return results


def submission_path(agent: str, text: str) -> str | None:
    """The file the prompt tells the agent to write its results to (None: no file)."""
    m = re.search(r"results as one JSON object to the file .*?\(`([^`]+)`", flat(text))
    m = m or re.search(r"`AUTOEXP_RESULTS` \(it is `([^`]+)`\)", flat(text))
    return m.group(1) if m else None


def prepare(out: Path, agent: str, setting: str) -> None:
    """What `autoexp prepare` writes: through the CLI for the default setting, else (faster)
    through the library functions it calls."""
    if setting == "pc+cmd":
        autoexp(
            "prepare", str(TOY), "--functions", ",".join(COMBO), "--agent", agent, "--out", str(out)
        )
        return
    prep = prepare_workspace(
        load_task(TOY), COMBO, out / "scratch", agent_name=agent, setting=parse_setting(setting)
    )
    write_prepared(prep, out)


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("agent", ["default", "react", "agentless", "command"])
def test_prompt_claims_hold_in_the_prepared_workspace(tmp_path, agent, setting):
    out = tmp_path / "prep"
    prepare(out, agent, setting)
    text, ws = (out / "prompt.md").read_text(), out / "workspace"
    prompt = json.loads((out / "prompt.json").read_text())
    intro = flat(text.split("## ")[0])

    # the paper is where the prompt says: in its section, never a file of the workspace
    assert not (ws / "paper.md").exists() and not (ws / "paper.txt").exists()
    paper = section(text, "The paper")
    if "paper=none" in setting:
        assert "The paper itself is not given" in intro and not paper
    else:
        assert 'is in the section "The paper" below' in intro
        assert prompt["paper"].strip() and prompt["paper"].strip() in paper

    # where the code is
    if agent == "agentless":
        assert "You cannot open or run the paper's codebase" in intro
        assert 'section "Code around the masked functions" at the end' in intro
        assert "workspace `" not in text
    else:
        assert f"the workspace `{INNER_WORKSPACE}`" in intro

    # every command named exists in the workspace
    commands = re.findall(r"Command(?: \(run from the workspace root\))?: `([^`]+)`", text)
    assert bool(commands) == ("commands=hidden" not in setting)
    for command in commands:
        assert (ws / shlex.split(command)[1]).is_file()

    # how to submit: the agent's real mechanism, and nothing else
    target = submission_path(agent, text)
    if agent == "default":
        assert target == f"{INNER_WORKSPACE}/{prompt['results_file']}"
    elif agent == "command":  # what the agent's $AUTOEXP_RESULTS and {results_file} hold
        assert "environment variable `AUTOEXP_RESULTS`" in flat(text)
        assert target == CommandAgent({"cmd": "{results_file}"}).command_line(INNER_WORKSPACE)
    elif agent == "react":
        assert target is None and "submit" in TOOL_NAMES
        assert "Call the `submit` tool with your results" in flat(section(text, "How to submit"))
    else:
        assert target is None and "`submit`" not in text and "How to submit" not in text
        assert "one fenced ```python block per masked function" in flat(text)
    if agent != "agentless":
        assert set(example_results(text)) == {e["id"] for e in prompt["experiments"]}

    # every absolute path named is in the workspace, and exists there or is the results file
    for path in re.findall(r"`(/[^`\s]*)`", text):
        assert path == INNER_WORKSPACE or path.startswith(INNER_WORKSPACE + "/"), path
        if path != target:
            assert (ws / path[len(INNER_WORKSPACE) :].lstrip("/")).exists(), path


CHECKER = r'''
"""A command agent that does what its prompt says, after checking every claim it makes."""
import json, os, re, sys
from pathlib import Path

text = Path(os.environ["AUTOEXP_PROMPT_FILE"]).read_text()
flat = " ".join(text.split())
problems = []
ws = re.search(r"the workspace `([^`]+)`", flat).group(1)
if os.getcwd() != ws:
    problems.append(f"cwd {os.getcwd()} is not the workspace {ws}")
target = re.search(r"`AUTOEXP_RESULTS` \(it is `([^`]+)`\)", flat).group(1)
if target != os.environ["AUTOEXP_RESULTS"]:
    problems.append(f"{target} is not $AUTOEXP_RESULTS")
for path in re.findall(r"`(/[^`\s]*)`", text):
    if not (Path(path).exists() or path == target and Path(path).parent.is_dir()):
        problems.append(f"{path} does not exist")
for command in re.findall(r"Command \(run from the workspace root\): `([^`]+)`", text):
    if not Path(command.split()[1]).is_file():
        problems.append(f"{command}: no such script")
if problems:
    sys.exit("\n".join(problems))
example = json.loads(re.search(r"```json\n(.*?)\n```", text, re.S).group(1))
Path(target).write_text(json.dumps(example))
print("submitted")
'''


def test_each_agent_submits_the_way_its_prompt_says(tmp_path):
    """react, agentless and command in one real run against the fake model server: each does
    what its prompt says, and what it submits is what autoexp records."""
    agent_dir = tmp_path / "agent"
    agent_dir.mkdir()
    (agent_dir / "checker.py").write_text(CHECKER)
    answer = "\n".join(
        f"```python\n# stats.py::{q}\n{original_def(q).rstrip()}\n```"
        for q in ("mean", "variance", "Scaler.fit")
    )
    script = {
        "routes": [
            {
                "match": "## Tools",  # react
                "entries": [
                    {"tool_calls": [{"name": "bash", "arguments": {"command": "pwd; ls"}}]},
                    {"tool_calls": [{"name": "submit", "arguments": {"results": SUBMITTED}}]},
                ],
            },
            {"match": "## How to answer", "entries": [{"text": answer}]},  # agentless
        ]
    }
    run_dir = tmp_path / "run"
    with FakeServer(script) as srv:
        autoexp(
            "run",
            str(TOY),
            "--agent",
            "react",
            "--agent",
            "agentless",
            "--agent",
            "command",
            "--agent-cmd",
            f"python {shlex.quote(str(agent_dir / 'checker.py'))}",
            "--sandbox-ro",
            str(agent_dir),
            "--model",
            "fake",
            "--base-url",
            srv.base_url,
            "--n",
            "3",
            "--workers",
            "2",
            "--run-dir",
            str(run_dir),
            "--no-progress",
        )
        requests = [r["body"] for r in srv.requests if "messages" in r.get("body", {})]
    rows = {r["agent_name"]: r for r in attempts_json(run_dir)}
    attempt = {a: run_dir / "attempts" / r["attempt_id"] for a, r in rows.items()}
    prompts = {a: (d / "prompt.md").read_text() for a, d in attempt.items()}

    # react: the prompt is the user message; `submit` is a tool of the request; what it was
    # given is the report; bash runs in the workspace the prompt names, which holds the code
    react = [r for r in requests if "tools" in r]
    assert react[0]["messages"][1]["content"] == prompts["react"]
    assert "submit" in {t["function"]["name"] for t in react[0]["tools"]}
    assert rows["react"]["reported"] == SUBMITTED
    steps = json.loads((attempt["react"] / "trajectory.json").read_text())["steps"]
    bash = next(s for s in steps if s.get("tool_name") == "bash")["content"]
    assert f"\n{INNER_WORKSPACE}\n" in f"\n{bash}" and "run.py" in bash

    # agentless: its message is the prompt, then the code section the prompt announces; it
    # submits no numbers: autoexp reports what the experiments print
    (agentless,) = [r for r in requests if "tools" not in r]
    message = agentless["messages"][0]["content"]
    assert message.startswith(prompts["agentless"].rstrip())
    assert message.index("## The paper") < message.index("## Code around the masked functions")
    assert rows["agentless"]["status"] == "passed"
    assert rows["agentless"]["reported"] == rows["agentless"]["verified"]

    # command: every claim of its prompt checked inside the sandbox, then the results file
    assert "submitted" in (attempt["command"] / "agent.log").read_text()
    assert rows["command"]["reported"] == example_results(prompts["command"])


class FollowsTheDefaultPrompt:
    """An agent of one's own (no template of its own, so it gets the default prompt): it runs,
    in the sandbox, what the prompt says: write the results file it names."""

    name = "mine"

    def __init__(self, link: bool = False) -> None:
        self.link = link
        self.seen: dict[str, str] = {}

    def run(self, workspace, prompt, sandbox, budget):
        text = flat(prompt.text)
        ws = re.search(r"the workspace `([^`]+)`", text).group(1)
        target = re.search(r"at the workspace root \(`([^`]+)`\)", text).group(1)
        self.seen = {"claimed": ws, "pwd": sandbox.run("pwd", workspace, timeout_s=30).stdout}
        body = json.dumps(example_results(prompt.text))
        write = f"ln -s /etc/passwd {target}" if self.link else f"printf %s '{body}' > {target}"
        assert sandbox.run(write, workspace, timeout_s=30).ok
        return AgentResult()


@pytest.mark.parametrize("link", [False, True], ids=["file", "symlink"])
def test_default_prompt_results_file_is_the_submission(tmp_path, monkeypatch, link):
    agent = FollowsTheDefaultPrompt(link)
    monkeypatch.setitem(AGENTS, "mine", lambda spec, task, attempt_dir: agent)
    task = load_task(TOY)
    spec = AttemptSpec(
        task_id=task.id,
        task_root=str(task.root),
        agent=AgentSpec(name="mine"),
        combo=("stats.py::mean",),
        trial=0,
    )
    record = run_attempt(spec, tmp_path / "run")
    assert agent.seen["pwd"].strip() == agent.seen["claimed"]
    if link:  # a symlink is never followed on the host: an invalid report
        assert record.reported is None and record.reason is Reason.INVALID_REPORT
    else:
        assert record.reported == {"moments": {"mean": 0.0, "var": 0.0}, "scaled": {"max_z": 0.0}}
        assert not record.edited_outside_mask


@pytest.mark.parametrize("agent", ["default", "react", "command"])
def test_without_the_sandbox_the_prompt_names_the_host_workspace(tmp_path, agent):
    """Under the plain-subprocess fallback the agent sees the workspace at its host path, with
    network: the prompt says so instead of `/workspace` and `no network`."""
    prep = prepare_workspace(load_task(TOY), COMBO, tmp_path, agent_name=agent, sandboxed=False)
    text = prep.prompt.text
    assert f"the workspace `{prep.workspace}`" in flat(text)
    assert f"`{INNER_WORKSPACE}" not in text and "no network" not in text
    for path in re.findall(r"`(/[^`\s]*)`", text):
        assert Path(path) == prep.workspace or Path(path).is_relative_to(prep.workspace), path


class DoesNothing:
    """An agent of one's own that ends without writing anything."""

    name = "idle"

    def run(self, workspace, prompt, sandbox, budget):
        return AgentResult()


def test_a_results_file_the_codebase_ships_is_not_a_submission(tmp_path, monkeypatch):
    task_dir = tmp_path / "toy"
    shutil.copytree(TOY, task_dir)
    shipped = {"moments": {"mean": 3.030526, "var": 3.714029}, "scaled": {"max_z": 2.062213}}
    (task_dir / "code" / "results.json").write_text(json.dumps(shipped), encoding="utf-8")
    monkeypatch.setitem(AGENTS, "idle", lambda spec, task, attempt_dir: DoesNothing())
    spec = AttemptSpec(
        task_id="toy-stats",
        task_root=str(task_dir),
        agent=AgentSpec(name="idle"),
        combo=("stats.py::mean",),
        trial=0,
    )
    record = run_attempt(spec, tmp_path / "run")
    assert record.reported is None and record.reason is Reason.NO_REPORT
