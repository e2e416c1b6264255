"""The react agent's tool helpers: workspace confinement, output truncation, text protocol."""

from __future__ import annotations

import pytest

from autoexp.agents import TOOL_SPECS, parse_text_calls, resolve_in_workspace
from autoexp.agents._tools import ToolError, truncate


def test_paths_stay_inside_the_workspace(tmp_path):
    ws = tmp_path / "ws"
    (ws / "pkg").mkdir(parents=True)
    (ws / "pkg" / "m.py").write_text("x = 1\n")
    (ws / "inner-link").symlink_to(ws / "pkg")
    (ws / "outer-link").symlink_to(tmp_path)
    real = ws.resolve()
    assert resolve_in_workspace(ws, "pkg/m.py") == real / "pkg" / "m.py"
    assert resolve_in_workspace(ws, "/workspace/pkg/m.py") == real / "pkg" / "m.py"
    assert resolve_in_workspace(ws, str(ws / "pkg" / "m.py")) == real / "pkg" / "m.py"
    assert resolve_in_workspace(ws, "pkg/../new.py") == real / "new.py"
    assert resolve_in_workspace(ws, "/workspace") == real
    assert resolve_in_workspace(ws, "inner-link/m.py") == real / "pkg" / "m.py"
    for bad in (
        "../x",
        "/etc/passwd",
        "/workspace/../etc/passwd",
        "outer-link/secret.txt",
        "outer-link",
        "",
        "pkg/\x00",
    ):
        with pytest.raises(ToolError):
            resolve_in_workspace(ws, bad)


def test_truncate_keeps_head_and_tail():
    text = "".join(f"line {i}\n" for i in range(5000))
    out = truncate(text, 1000)
    assert len(out) <= 1000
    assert out.startswith("line 0\n") and out.rstrip().endswith("line 4999")
    assert "characters cut" in out
    assert truncate("short", 1000) == "short"


def test_text_protocol_blocks():
    text = (
        'First I look.\n```tool:bash\n{"command": "ls"}\n```\n'
        "```python\nprint('not a tool')\n```\n"
        '```tool: write_file\n{"path": "a.py", "content": "x = 1\\n"}\n```\n'
    )
    calls = parse_text_calls(text, start=10)
    assert [(c.id, c.name) for c in calls] == [("text_10", "bash"), ("text_11", "write_file")]
    assert calls[1].arguments == '{"path": "a.py", "content": "x = 1\\n"}'
    assert parse_text_calls(None) == [] and parse_text_calls("no tools here") == []


def test_tool_specs_are_openai_functions():
    names = [t["function"]["name"] for t in TOOL_SPECS]
    assert names == ["bash", "read_file", "write_file", "edit_file", "submit"]
    for t in TOOL_SPECS:
        assert t["type"] == "function"
        params = t["function"]["parameters"]
        assert params["type"] == "object" and set(params["required"]) <= set(params["properties"])
