"""Issue 11, item 2: the pre-flight check of model endpoints and the run's circuit breaker, with
the real openai client against the fake server (and a port where nothing listens)."""

from __future__ import annotations

import json
import socket

import pytest

from autoexp.agents import AgentSpec, preflight
from autoexp.errors import EndpointError
from autoexp.models import FakeServer, ModelConfig, check_endpoint
from autoexp.runner import SqliteStore

from conftest import TOY, autoexp

EXPECTED = {"moments": {"mean": 3.030526, "var": 3.714029}, "scaled": {"max_z": 2.062213}}


@pytest.fixture
def dead_url():
    """A base URL on 127.0.0.1 whose port is bound but not listening: connections are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    sock.close()


def stored(run_dir):
    with SqliteStore(run_dir / "results.sqlite") as store:
        return store.all()


def test_check_endpoint_and_preflight(dead_url):
    with FakeServer({"models": ["fake", "other"]}) as srv:
        assert check_endpoint(ModelConfig(name="fake", base_url=srv.base_url)) == srv.base_url
        specs = [
            AgentSpec(name="react", model="fake", base_url=srv.base_url),
            AgentSpec(name="agentless", model="other", base_url=srv.base_url),
            AgentSpec(name="command", base_url=dead_url, options={"cmd": "true"}),  # skipped
            AgentSpec(name="oracle"),
        ]
        assert preflight(specs) == [srv.base_url]  # one request per distinct endpoint
        assert srv.chat_requests() == []  # /models answered: no completion was paid for
    with pytest.raises(EndpointError, match=f"{dead_url}.*Connection"):
        check_endpoint(ModelConfig(name="fake", base_url=dead_url))


def test_dead_endpoint_fails_before_any_attempt(tmp_path, dead_url):
    run_dir = tmp_path / "run"
    proc = autoexp(
        "run",
        str(TOY),
        "--agent",
        "react",
        "--model",
        "fake",
        "--base-url",
        dead_url,
        "--run-dir",
        str(run_dir),
        "--no-progress",
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    text = " ".join(proc.stderr.split())
    assert f"model endpoint {dead_url} does not answer" in text and "Connection error" in text
    assert not run_dir.exists()


def test_circuit_breaker_stops_the_run_and_resume_finishes_it(tmp_path):
    run_dir = tmp_path / "run"
    args = ["run", str(TOY), "--agent", "react", "--model", "fake", "--n", "1",
            "--combos-per-n", "0", "--workers", "1", "--max-api-failures", "2",
            "--agent-option", "max_retries=0", "--run-dir", str(run_dir), "--no-progress",
            "--no-report"]  # fmt: skip
    failing = FakeServer([{"error": 500, "error_message": "model is down", "forever": True}])
    with failing as srv:
        url, port = srv.base_url, srv.port
        proc = autoexp(*args, "--base-url", url, check=False)
    assert proc.returncode == 2, proc.stderr
    text = " ".join(proc.stderr.split())
    assert f"stopped after 2 consecutive attempts failed to reach the model endpoint {url}" in text
    assert "model is down" in text and "1 attempt(s) not run" in text and "--resume" in text
    # the pre-flight passed (the server lists its models); the rest is left for --resume
    assert len(json.loads((run_dir / "run.json").read_text())["attempts"]) == 3
    records = stored(run_dir)
    assert [(r.status, r.reason) for r in records] == [("infra_error", "model_api")] * 2

    # the endpoint is back (same URL): resume retries both and runs the one never started
    script = [{"tool_calls": [{"name": "submit", "arguments": {"results": EXPECTED}}],
               "forever": True}]  # fmt: skip
    with FakeServer(script, port=port):
        autoexp("run", "--run-dir", str(run_dir), "--resume", "--no-progress", "--no-report")
    records = stored(run_dir)
    assert len(records) == 3 and all(r.status != "infra_error" for r in records)
    assert sorted(r.retries for r in records) == [0, 1, 1]
