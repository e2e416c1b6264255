"""A fake OpenAI-compatible server that replays a script of responses (for tests, no network).

The script is a JSON/YAML document (or a `Script` object):

    {"entries": [ ...global queue... ],
     "routes": [{"match": "stats.py::mean", "entries": [ ... ]}]}

A plain list is the global queue. Every request is answered by the next entry of its queue:
a route's queue when a route's `match` (a substring, or a list of substrings that must all
occur) is in the conversation's opening messages (the system and user messages before the
first assistant message; the first matching route wins),
else the global queue. A route replays its entries separately for every distinct
conversation (keyed by a hash of the opening messages), so attempts with different prompts can
run in parallel; two conversations with identical opening messages share one cursor. When a
queue is used up the server answers 400 `script_exhausted`. `GET /models` lists the script's
`models` (default: `fake`).
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field


class FakeToolCall(BaseModel):
    """A tool call the fake model makes."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    name: str
    """Tool (function) name."""
    arguments: dict[str, Any] | str = Field(default_factory=dict)
    """Arguments: an object is sent as JSON; a string is sent as-is (so it may be malformed)."""
    id: str | None = None
    """Call id (None: generated)."""


class Usage(BaseModel):
    """Token counts reported in a response's `usage`."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    prompt_tokens: int = Field(ge=0)
    """Input tokens."""
    completion_tokens: int = Field(ge=0)
    """Output tokens."""


class ScriptEntry(BaseModel):
    """One scripted answer: assistant text and/or tool calls, or an HTTP error."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    text: str | None = None
    """Assistant text content."""
    tool_calls: list[FakeToolCall] = Field(default_factory=list)
    """Tool calls of the answer."""
    error: int | None = None
    """Answer with this HTTP status (an OpenAI-style error body) instead of a completion."""
    error_message: str = "fake server error"
    """Message of the error body."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra response headers (e.g. `retry-after-ms` on a 429)."""
    times: int = Field(default=1, ge=1)
    """How many consecutive requests this entry answers."""
    forever: bool = False
    """Answer every remaining request of the queue with this entry."""
    delay_s: float = Field(default=0.0, ge=0)
    """Wait this long before answering."""
    usage: Usage | None = None
    """Usage to report (None: computed, 1 token per 4 characters; see `estimate_tokens`)."""
    finish_reason: str | None = None
    """finish_reason (None: `tool_calls` when there are calls, else `stop`)."""


class Route(BaseModel):
    """Entries for the conversations whose opening messages contain `match`."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    match: str | list[str]
    """Substring looked for in the system and user messages before the first assistant one
    (a list: all of them must occur)."""

    def matches(self, opening: str) -> bool:
        """Whether a conversation with these opening messages belongs to this route."""
        needles = [self.match] if isinstance(self.match, str) else self.match
        return all(n in opening for n in needles)

    entries: list[ScriptEntry]
    """Replayed from the start for every distinct conversation."""


class Script(BaseModel):
    """What the fake server answers."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    entries: list[ScriptEntry] = Field(default_factory=list)
    """The global queue, shared by every request no route matches."""
    routes: list[Route] = Field(default_factory=list)
    """Per-conversation scripts, matched in order."""
    models: list[str] | None = Field(default_factory=lambda: ["fake"])
    """Model ids `GET /models` lists (chat completions answer any model); None: the server has
    no /models and answers it 404, as some local servers do."""

    @classmethod
    def load(cls, path: Path | str) -> Script:
        """Read a script from a JSON or YAML file (a list is the global queue)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return cls.coerce(data)

    @classmethod
    def coerce(cls, data: Script | list[Any] | dict[str, Any]) -> Script:
        """A Script from a Script, a list of entries or a dict."""
        if isinstance(data, Script):
            return data
        if isinstance(data, list):
            return cls(entries=[ScriptEntry.model_validate(e) for e in data])
        return cls.model_validate(data)


def estimate_tokens(text: str) -> int:
    """The fake server's token count for a text: one token per 4 characters, at least 1."""
    return max(1, len(text) // 4)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def opening_text(messages: list[dict[str, Any]]) -> str:
    """The system and user messages before the first assistant message, joined."""
    parts = []
    for m in messages:
        if m.get("role") not in ("system", "user", "developer"):
            break
        parts.append(_text_of(m.get("content")))
    return "\n".join(parts)


class _Cursor:
    def __init__(self, entries: list[ScriptEntry]) -> None:
        self.entries = entries
        self.index = 0
        self.used = 0

    def next(self) -> ScriptEntry | None:
        if self.index >= len(self.entries):
            return None
        entry = self.entries[self.index]
        if not entry.forever:
            self.used += 1
            if self.used >= entry.times:
                self.index += 1
                self.used = 0
        return entry


class FakeServer:
    """OpenAI-compatible chat completions server on 127.0.0.1 replaying a script.

    Use as a context manager: `with FakeServer(script) as srv: OpenAI(base_url=srv.base_url)`.
    `requests` holds every request received (path, body, route, conversation, status, usage).
    """

    def __init__(
        self,
        script: Script | list[Any] | dict[str, Any],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        requests_log: Path | None = None,
    ) -> None:
        self.script = Script.coerce(script)
        self.requests: list[dict[str, Any]] = []
        self.requests_log = requests_log
        self._lock = threading.Lock()
        self._global = _Cursor(self.script.entries)
        self._cursors: dict[tuple[int, str], _Cursor] = {}
        self._ids = 0
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = _QuietServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """URL to give the OpenAI client as base_url (ends in /v1)."""
        return f"http://{self._httpd.server_address[0]}:{self.port}/v1"

    def start(self) -> FakeServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until shutdown()."""
        self._httpd.serve_forever(poll_interval=0.05)

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat completion requests received, in order."""
        with self._lock:
            return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    def next_id(self, prefix: str) -> str:
        """A fresh id like `call_3`."""
        with self._lock:
            self._ids += 1
            return f"{prefix}_{self._ids}"

    def pick(self, messages: list[dict[str, Any]]) -> tuple[ScriptEntry | None, str, str]:
        """The entry answering a conversation, its route label and conversation key."""
        opening = opening_text(messages)
        key = hashlib.sha1(opening.encode()).hexdigest()[:12]
        with self._lock:
            for i, route in enumerate(self.script.routes):
                if route.matches(opening):
                    cursor = self._cursors.setdefault((i, key), _Cursor(route.entries))
                    return cursor.next(), f"route:{i}", key
            return self._global.next(), "global", key

    def record(self, item: dict[str, Any]) -> None:
        """Keep one request (and append it to requests_log, if any)."""
        with self._lock:
            self.requests.append(item)
            if self.requests_log is not None:
                with self.requests_log.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(item) + "\n")


class _QuietServer(ThreadingHTTPServer):
    """Does not print tracebacks when a client hangs up early (e.g. after its own timeout)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, code: str | None, headers: dict[str, str]) -> None:
        kind = "server_error" if status >= 500 else "invalid_request_error"
        body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        self._send_json(status, body, headers)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        models = self.fake.script.models
        if path.endswith("/models") and models is not None:
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "autoexp"} for m in models
            ]
            self._send_json(200, {"object": "list", "data": data})
        elif path.endswith("/_fake/requests"):
            with self.fake._lock:
                self._send_json(200, list(self.fake.requests))
        else:
            self._error(404, f"no route {self.path}", None, {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        path = self.path.split("?", 1)[0].rstrip("/")
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._error(400, "request body is not JSON", None, {})
            return
        if not path.endswith("/chat/completions"):
            self._error(404, f"no route {self.path}", None, {})
            return
        messages = body.get("messages") or []
        entry, route, key = self.fake.pick(messages)
        item: dict[str, Any] = {
            "path": path,
            "body": body,
            "route": route,
            "conversation": key,
            "authorization": self.headers.get("Authorization"),
            "time": time.time(),
        }
        if entry is None:
            item["status"] = 400
            self.fake.record(item)
            self._error(400, f"fake server: script exhausted ({route})", "script_exhausted", {})
            return
        if entry.delay_s:
            time.sleep(entry.delay_s)
        if entry.error is not None:
            item["status"] = entry.error
            self.fake.record(item)
            self._error(entry.error, entry.error_message, None, entry.headers)
            return
        calls = [
            {
                "id": c.id or self.fake.next_id("call"),
                "type": "function",
                "function": {
                    "name": c.name,
                    "arguments": c.arguments
                    if isinstance(c.arguments, str)
                    else json.dumps(c.arguments),
                },
            }
            for c in entry.tool_calls
        ]
        usage = entry.usage or Usage(
            prompt_tokens=estimate_tokens(json.dumps(messages)),
            completion_tokens=estimate_tokens(
                (entry.text or "") + "".join(c["function"]["arguments"] for c in calls)
            ),
        )
        usage_body = {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.prompt_tokens + usage.completion_tokens,
        }
        item.update(status=200, usage=usage_body)
        self.fake.record(item)
        finish = entry.finish_reason or ("tool_calls" if calls else "stop")
        common = {
            "id": self.fake.next_id("chatcmpl"),
            "created": int(time.time()),
            "model": body.get("model") or "fake",
            "system_fingerprint": None,
        }
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            self._stream(common, entry.text, calls, finish, usage_body if include_usage else None)
            return
        message: dict[str, Any] = {"role": "assistant", "content": entry.text}
        if calls:
            message["tool_calls"] = calls
        self._send_json(
            200,
            {
                **common,
                "object": "chat.completion",
                "choices": [
                    {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
                ],
                "usage": usage_body,
            },
            entry.headers,
        )

    def _stream(
        self,
        common: dict[str, Any],
        text: str | None,
        calls: list[dict[str, Any]],
        finish: str,
        usage: dict[str, Any] | None,
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> None:
            body = {
                **common,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }
            self.wfile.write(f"data: {json.dumps(body)}\n\n".encode())

        chunk({"role": "assistant", "content": ""})
        for piece in _pieces(text or "", 16):
            chunk({"content": piece})
        for i, call in enumerate(calls):
            head = {"name": call["function"]["name"], "arguments": ""}
            chunk(
                {
                    "tool_calls": [
                        {"index": i, "id": call["id"], "type": "function", "function": head}
                    ]
                }
            )
            for piece in _pieces(call["function"]["arguments"], 16):
                chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
        chunk({}, finish)
        if usage is not None:
            body = {**common, "object": "chat.completion.chunk", "choices": [], "usage": usage}
            self.wfile.write(f"data: {json.dumps(body)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]
