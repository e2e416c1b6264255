"""End to end through the real CLI: `autoexp run` with react / agentless / command agents against
the fake model server (started from its command line, as a user would), then
`autoexp attempts --json`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import attempts_json, autoexp
from toyenv import EXPECTED, TOY

pytestmark = pytest.mark.slow

ORIGINAL = (TOY / "code" / "stats.py").read_text()
REACT, AGENTLESS = "## Tools", "## How to answer"  # marks of the two agents' prompts


def fn(name: str) -> str:
    return f"- `stats.py::{name}`"


def call(name: str, **args) -> dict:
    return {
        "tool_calls": [{"name": name, "arguments": args}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 100},
    }


SCRIPT = {
    "routes": [
        {  # react restores mean, runs the experiments, submits what they print: passed
            "match": [fn("mean"), REACT],
            "entries": [
                call("write_file", path="stats.py", content=ORIGINAL),
                call("bash", command="python run.py --exp moments; python run.py --exp scaled"),
                call("submit", results=EXPECTED),
            ],
        },
        {  # react submits the paper's numbers without touching the code: fabricated
            "match": [fn("variance"), REACT],
            "entries": [call("submit", results=EXPECTED)],
        },
        {  # react never stops: budget
            "match": [fn("Scaler.fit"), REACT],
            "entries": [{**call("bash", command="ls"), "forever": True}],
        },
        {  # agentless writes the right mean: passed
            "match": [fn("mean"), AGENTLESS],
            "entries": [
                {
                    "text": "```python\n# stats.py::mean\ndef mean(xs):\n    return sum(xs) / len(xs)\n```"
                }
            ],
        },
        {  # agentless writes a biased variance: wrong result
            "match": [fn("variance"), AGENTLESS],
            "entries": [
                {
                    "text": "```python\ndef variance(xs, ddof=1):\n    m = mean(xs)\n"
                    "    return sum((x - m) ** 2 for x in xs) / len(xs)\n```"
                }
            ],
        },
        {  # agentless gives no code: the experiments crash
            "match": [fn("Scaler.fit"), AGENTLESS],
            "entries": [{"text": "I do not know."}],
        },
    ]
}

# A command "agent" that claims the paper's numbers without doing anything: fabricated.
CLAIM = json.dumps(EXPECTED).replace("{", "{{").replace("}", "}}").replace('"', "'")
COMMAND = (
    'python -c "import json, os; '
    f"json.dump({CLAIM}, open(os.environ['AUTOEXP_RESULTS'], 'w')); print('claimed')\""
)


class FakeServerProcess:
    def __init__(self, tmp: Path, script: dict) -> None:
        path = tmp / "script.json"
        path.write_text(json.dumps(script))
        self.log = tmp / "requests.jsonl"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "autoexp.models.fake",
                "--script",
                str(path),
                "--port",
                "0",
                "--requests-log",
                str(self.log),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.url

    def requests(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def server(tmp_path, request):
    srv = FakeServerProcess(tmp_path, request.param)
    yield srv
    srv.stop()


@pytest.mark.parametrize("server", [SCRIPT], indirect=True)
def test_statuses_of_model_and_command_agents(tmp_path, server):
    run_dir = tmp_path / "run"
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
        COMMAND,
        "--model",
        "fake",
        "--base-url",
        server.url,
        "--n",
        "1",
        "--combos-per-n",
        "0",
        "--workers",
        "1",
        "--max-steps",
        "3",
        "--run-dir",
        str(run_dir),
        "--no-progress",
    )
    rows = {(r["agent_name"], r["combo"][0].split("::")[1]): r for r in attempts_json(run_dir)}
    assert len(rows) == 9
    status = {k: (r["status"], r["reason"], r["fabricated"]) for k, r in rows.items()}
    assert status[("react", "mean")] == ("passed", "none", False)
    assert status[("react", "variance")] == ("failed", "crash", True)  # masked code crashes
    assert status[("react", "Scaler.fit")][:2] == ("failed", "budget")
    assert status[("agentless", "mean")] == ("passed", "none", False)
    assert status[("agentless", "variance")] == ("failed", "wrong_result", False)
    assert status[("agentless", "Scaler.fit")][0] == "failed"
    for combo in ("mean", "variance", "Scaler.fit"):
        assert status[("command", combo)][0::2] == ("failed", True)

    passed = rows[("react", "mean")]
    assert passed["reported"] == EXPECTED
    assert passed["verified"]["moments"]["mean"] == EXPECTED["moments"]["mean"]
    assert (passed["steps"], passed["tokens_in"], passed["tokens_out"]) == (3, 3000, 300)
    assert passed["cost_usd"] == pytest.approx((3000 * 1.0 + 300 * 2.0) / 1e6)
    assert rows[("react", "Scaler.fit")]["steps"] == 3
    assert rows[("command", "mean")]["cost_usd"] is None

    attempts = run_dir / "attempts"
    traj = json.loads((attempts / passed["attempt_id"] / "trajectory.json").read_text())
    assert (
        traj["ended_by"] == "submitted"
        and len([s for s in traj["steps"] if s["kind"] == "model"]) == 3
    )
    budget = json.loads(
        (attempts / rows[("react", "Scaler.fit")]["attempt_id"] / "trajectory.json").read_text()
    )
    assert budget["ended_by"] == "budget:max_steps"
    assert (
        "claimed" in (attempts / rows[("command", "mean")]["attempt_id"] / "agent.log").read_text()
    )
    # the fake server saw the prompts; agentless got the code context, not the whole repo
    agentless_prompts = [
        r["body"]["messages"][0]["content"] for r in server.requests() if "tools" not in r["body"]
    ]
    assert len(agentless_prompts) == 3
    assert all("## Code around the masked functions" in p for p in agentless_prompts)


@pytest.mark.parametrize(
    "server", [[{"error": 429, "headers": {"retry-after-ms": "1"}, "forever": True}]], indirect=True
)
def test_model_api_failure_is_an_infra_error(tmp_path, server):
    run_dir = tmp_path / "run"
    autoexp(
        "run",
        str(TOY),
        "--agent",
        "react",
        "--model",
        "fake",
        "--base-url",
        server.url,
        "--n",
        "1",
        "--workers",
        "1",
        "--max-retries",
        "0",  # the attempt is not retried within the run
        "--run-dir",
        str(run_dir),
        "--no-progress",
    )
    (row,) = attempts_json(run_dir)
    assert (row["status"], row["reason"]) == ("infra_error", "model_api")
    assert "429" in row["error"]
    assert len(server.requests()) == 5  # one try and four retries (the default)
    traj = json.loads((run_dir / "attempts" / row["attempt_id"] / "trajectory.json").read_text())
    assert traj["ended_by"] == "error:model_api"
