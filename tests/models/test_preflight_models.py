"""Issue 11, item 2: the pre-flight checks that the endpoint serves the model asked for (from
its `GET /models`), and falls back to a 1-token completion when the server lists no models."""

from __future__ import annotations

import pytest

from autoexp.agents import AgentSpec, preflight
from autoexp.errors import EndpointError
from autoexp.models import FakeServer, ModelConfig
from autoexp.models._preflight import check_models

from conftest import TOY, autoexp

NOT_FOUND = {"error": 404, "error_message": "The model `nosuch` does not exist"}


@pytest.mark.parametrize(
    ("script", "fragments", "pings"),
    [
        ({"models": ["fake", "gpt-x"]}, ["does not serve model 'nosuch'", "fake, gpt-x"], 0),
        ({"models": None, "entries": [NOT_FOUND]}, ["for model 'nosuch'", "does not exist"], 1),
    ],
    ids=["listed", "fallback"],
)
def test_unserved_model_fails_before_any_attempt(tmp_path, script, fragments, pings):
    run_dir = tmp_path / "run"
    with FakeServer(script) as srv:
        proc = autoexp(
            "run",
            str(TOY),
            "--agent",
            "react",
            "--model",
            "nosuch",
            "--base-url",
            srv.base_url,
            "--run-dir",
            str(run_dir),
            "--no-progress",
            check=False,
        )
        chats = srv.chat_requests()
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    text = " ".join(proc.stderr.split())
    assert f"model endpoint {srv.base_url}" in text
    assert all(f in text for f in fragments), text
    assert not run_dir.exists()  # nothing run
    # listed: no completion was paid for; fallback: the one 1-token ping, nothing else
    assert [(c["model"], c["max_tokens"]) for c in chats] == [("nosuch", 1)] * pings


def test_fallback_pings_each_model_once_when_the_server_lists_none():
    with FakeServer({"models": None, "entries": [{"text": "pong", "forever": True}]}) as srv:
        specs = [
            AgentSpec(name="react", model="fake", base_url=srv.base_url),
            AgentSpec(name="agentless", model="other", base_url=srv.base_url),
            AgentSpec(name="agentless", model="fake", base_url=srv.base_url),
        ]
        assert preflight(specs) == [srv.base_url]
        chats = srv.chat_requests()
    assert [(c["model"], c["max_tokens"]) for c in chats] == [("fake", 1), ("other", 1)]


def test_listed_models_are_checked_without_a_completion():
    with FakeServer({"models": ["llama3:latest", "qwen"]}) as srv:
        configs = [ModelConfig(name=n, base_url=srv.base_url) for n in ("llama3", "qwen")]
        assert check_models(configs) == srv.base_url  # Ollama's `:latest` counts as served
        with pytest.raises(EndpointError, match=r"does not serve model 'gpt-4o'.*--no-preflight"):
            check_models([ModelConfig(name="gpt-4o", base_url=srv.base_url)])
        assert srv.chat_requests() == []
