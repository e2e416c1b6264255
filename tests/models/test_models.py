"""The OpenAI-compatible client against the fake server: plain, streamed, tools, retries, cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import openai
import pytest

from autoexp.agents import AgentSpec
from autoexp.agents._factories import model_config_from_spec
from autoexp.errors import AutoexpError, ModelAPIError
from autoexp.models import (
    ContextWindowExceeded,
    FakeServer,
    ModelConfig,
    OpenAIModel,
    builtin_prices,
    load_prices,
)
from autoexp.models.fake import estimate_tokens

USER = [{"role": "user", "content": "hello model"}]
FAST = {"backoff_s": 0.01, "max_backoff_s": 0.05}


def model(srv: FakeServer, **kw) -> OpenAIModel:
    return OpenAIModel(ModelConfig(name="fake", base_url=srv.base_url, **{**FAST, **kw}))


def test_text_tool_calls_usage_and_cost():
    script = [
        {"text": "hi", "usage": {"prompt_tokens": 1000, "completion_tokens": 500}},
        {
            "tool_calls": [
                {"name": "bash", "arguments": {"command": "ls -la"}},
                {"name": "read_file", "arguments": "{not json"},
            ]
        },
    ]
    with FakeServer(script) as srv:
        m = model(srv)
        r1 = m.query(USER)
        r2 = m.query(USER, tools=[{"type": "function", "function": {"name": "bash"}}])
        bodies = srv.chat_requests()
    assert r1.text == "hi" and r1.tool_calls == []
    assert (r1.tokens_in, r1.tokens_out) == (1000, 500)
    # built-in price of the fake model: $1 / $2 per million tokens
    assert r1.cost_usd == pytest.approx((1000 * 1.0 + 500 * 2.0) / 1e6)
    assert [c.name for c in r2.tool_calls] == ["bash", "read_file"]
    assert json.loads(r2.tool_calls[0].arguments) == {"command": "ls -la"}
    assert r2.tool_calls[1].arguments == "{not json"  # passed through, malformed
    assert r2.raw["tool_calls"][0]["function"]["name"] == "bash"
    # computed usage: 1 token per 4 characters
    assert r2.tokens_in == estimate_tokens(json.dumps(USER))
    assert bodies[0]["messages"] == USER and "tools" not in bodies[0]
    assert bodies[1]["tools"][0]["function"]["name"] == "bash"


def test_unknown_price_gives_none_cost():
    with FakeServer([{"text": "x"}]) as srv:
        m = OpenAIModel(ModelConfig(name="some-local-model", base_url=srv.base_url))
        r = m.query(USER)
    assert r.tokens_in > 0 and r.cost_usd is None


def test_streaming_with_sdk_and_model():
    long_text = "streamed answer " * 10
    script = [
        {"text": long_text, "usage": {"prompt_tokens": 11, "completion_tokens": 22}},
        {
            "text": "calling",
            "tool_calls": [
                {"name": "write_file", "arguments": {"path": "a.py", "content": "x = 1\n" * 20}}
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7},
        },
    ]
    with FakeServer(script) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="k", max_retries=0)
        chunks = list(
            client.chat.completions.create(
                model="fake", messages=USER, stream=True, stream_options={"include_usage": True}
            )
        )
        m = model(srv, stream=True)
        r = m.query(USER, tools=[{"type": "function", "function": {"name": "write_file"}}])
        bodies = srv.chat_requests()
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == long_text
    assert len(chunks) > 5  # really chunked
    assert chunks[-1].usage.prompt_tokens == 11 and chunks[-1].usage.completion_tokens == 22
    assert r.text == "calling"
    assert r.tool_calls[0].name == "write_file"
    assert json.loads(r.tool_calls[0].arguments)["content"] == "x = 1\n" * 20
    assert (r.tokens_in, r.tokens_out) == (5, 7)
    assert bodies[1]["stream"] is True and bodies[1]["stream_options"] == {"include_usage": True}


def test_retries_then_success():
    script = [
        {"error": 500, "times": 2},
        {"error": 429, "headers": {"retry-after-ms": "10"}},
        {"text": "ok"},
    ]
    with FakeServer(script) as srv:
        r = model(srv, max_retries=3).query(USER)
        statuses = [q["status"] for q in srv.requests]
    assert r.text == "ok"
    assert statuses == [500, 500, 429, 200]


def test_retries_run_out_raise_model_api_error():
    with FakeServer([{"error": 503, "forever": True}]) as srv:
        with pytest.raises(ModelAPIError, match="after 3 tries"):
            model(srv, max_retries=2).query(USER)
        assert len(srv.requests) == 3


def test_client_errors_are_not_retried():
    with FakeServer([{"error": 401, "error_message": "bad key"}, {"text": "never"}]) as srv:
        with pytest.raises(ModelAPIError, match="bad key"):
            model(srv, max_retries=3).query(USER)
        assert len(srv.requests) == 1


def test_context_length_error_is_an_agent_end_state():
    err = {"error": 400, "error_message": "This model's maximum context length is 8192 tokens"}
    with FakeServer([err]) as srv, pytest.raises(ContextWindowExceeded) as info:
        model(srv).query(USER)
    assert info.value.which == "context_window"


def test_timeouts_are_retried_then_raise():
    with FakeServer([{"text": "slow", "delay_s": 1.0, "forever": True}]) as srv:
        t0 = time.monotonic()
        with pytest.raises(ModelAPIError, match="APITimeoutError"):
            model(srv, timeout_s=0.2, max_retries=1).query(USER)
        assert time.monotonic() - t0 < 1.5
        time.sleep(0.9)  # let the server's handler threads finish
        assert len(srv.requests) == 2


def test_exhausted_script_is_a_clear_error():
    with FakeServer([{"text": "only one"}]) as srv:
        m = model(srv)
        m.query(USER)
        with pytest.raises(ModelAPIError, match="script exhausted"):
            m.query(USER)


def test_routes_replay_per_conversation():
    script = {
        "entries": [{"text": "global-1"}, {"text": "global-2"}],
        "routes": [
            {"match": "task-A", "entries": [{"text": "A1"}, {"text": "A2"}]},
            {"match": "task-B", "entries": [{"text": "B1"}]},
        ],
    }

    def conv(marker: str, n: int) -> list[dict]:
        msgs = [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": f"do {marker} {n}"},
        ]
        return msgs

    with FakeServer(script) as srv:
        m = model(srv)
        a = conv("task-A", 1)
        a2 = conv("task-A", 2)  # a different conversation of the same route
        assert m.query(a).text == "A1"
        assert m.query(a2).text == "A1"
        assert m.query(conv("task-B", 1)).text == "B1"
        follow = [
            *a,
            {"role": "assistant", "content": "A1"},
            {"role": "user", "content": "task-B?"},
        ]
        assert m.query(follow).text == "A2"  # routed by the opening messages only
        assert m.query(USER).text == "global-1"
        assert m.query(USER).text == "global-2"
        routes = [r["route"] for r in srv.requests]
    assert routes == ["route:0", "route:0", "route:1", "route:0", "global", "global"]


def test_models_endpoint_and_api_key_env(monkeypatch):
    monkeypatch.setenv("MY_TEST_KEY", "sekrit")
    with FakeServer([{"text": "x"}]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="k")
        assert [m.id for m in client.models.list()] == ["fake"]
        spec = AgentSpec(
            name="react", model="fake", base_url=srv.base_url, api_key_env="MY_TEST_KEY"
        )
        OpenAIModel(model_config_from_spec(spec)).query(USER)
        assert srv.requests[-1]["authorization"] == "Bearer sekrit"


def test_local_server_needs_no_key_but_hosted_does(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(AutoexpError, match="NO_SUCH_KEY_VAR"):
        OpenAIModel(ModelConfig(name="gpt-4o", api_key_env="NO_SUCH_KEY_VAR"))
    with FakeServer([{"text": "x"}]) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        m = OpenAIModel(ModelConfig(name="fake", api_key_env="NO_SUCH_KEY_VAR"))
        assert m.query(USER).text == "x"
        assert srv.requests[-1]["authorization"] == "Bearer not-needed"


def test_model_options_from_spec():
    with FakeServer([{"text": "x"}]) as srv:
        spec = AgentSpec(
            name="react",
            model="fake",
            base_url=srv.base_url,
            options={"temperature": 0.3, "max_output_tokens": 77, "tool_format": "text"},
        )
        OpenAIModel(model_config_from_spec(spec)).query(USER)
        body = srv.chat_requests()[0]
    assert body["temperature"] == 0.3 and body["max_tokens"] == 77


def test_prices_builtin_lookup_and_override(tmp_path, monkeypatch):
    table = builtin_prices()
    assert table.price("gpt-4o") is not None
    assert table.price("openai/gpt-4o") == table.price("gpt-4o")
    assert table.price("gpt-4o-mini-2024-07-18") == table.price("gpt-4o-mini")
    assert table.price("no-such-model") is None
    assert table.cost("no-such-model", 10, 10) is None
    assert table.cost("fake", 1_000_000, 1_000_000) == pytest.approx(3.0)

    user = tmp_path / "prices.yaml"
    user.write_text(
        "models:\n  my-llama: {input: 0.5, output: 1.5}\n  fake: {input: 10, output: 0}\n"
    )
    t = load_prices(user)
    assert t.cost("my-llama", 2_000_000, 0) == pytest.approx(1.0)
    assert t.cost("fake", 1_000_000, 5) == pytest.approx(10.0)
    assert t.price("gpt-4o") == table.price("gpt-4o")  # built-in entries stay
    monkeypatch.setenv("AUTOEXP_PRICES", str(user))
    assert load_prices().price("my-llama") is not None
    with FakeServer(
        [{"text": "x", "usage": {"prompt_tokens": 100, "completion_tokens": 0}}]
    ) as srv:
        r = OpenAIModel(ModelConfig(name="fake", base_url=srv.base_url)).query(USER)
    assert r.cost_usd == pytest.approx(100 * 10 / 1e6)
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  x: {input: -1, output: 1}\n")
    with pytest.raises(AutoexpError, match=r"bad\.yaml"):
        load_prices(bad)


def test_fake_server_command_line(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps(
            [{"text": "from the cli", "usage": {"prompt_tokens": 3, "completion_tokens": 4}}]
        )
    )
    log = tmp_path / "requests.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autoexp.models.fake",
            "--script",
            str(script),
            "--port",
            "0",
            "--requests-log",
            str(log),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error::RuntimeWarning"},
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        r = OpenAIModel(ModelConfig(name="fake", base_url=url)).query(USER)
        assert r.text == "from the cli" and r.tokens_out == 4
        with urllib.request.urlopen(url + "/_fake/requests") as resp:
            recorded = json.load(resp)
        assert recorded[0]["body"]["messages"] == USER
        assert json.loads(log.read_text().splitlines()[0])["body"]["model"] == "fake"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0, proc.stderr.read()
