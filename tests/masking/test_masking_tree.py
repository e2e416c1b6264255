"""Masking a code tree, restoring it, and building the grading copy from an agent's workspace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autoexp.errors import MaskingError
from autoexp.masking import (
    extract_body,
    mask_tree,
    merge_for_grading,
    replace_body,
    restore_bodies,
)

FILES = {
    "run.py": (
        "import json\nimport sys\n\nfrom pkg.model import Model, scale\n\n\n"
        "def main():\n    m = Model(3)\n    print(json.dumps({'value': m.total([1, 2]) + scale(2)}))\n\n\n"
        "if __name__ == '__main__':\n    main()\n"
    ),
    "pkg/__init__.py": "",
    # CRLF line endings and a one-line function
    "pkg/model.py": (
        "import math\r\n\r\n\r\nclass Model:\r\n    def __init__(self, k):\r\n        self.k = k\r\n\r\n"
        "    def total(self, xs):\r\n        # sum then scale\r\n        s = math.fsum(xs)\r\n"
        "        return s * self.k\r\n\r\n\r\ndef scale(x): return x * 10\r\n"
    ),
    # tab indentation
    "pkg/util.py": "def helper(v):\n\tif v:\n\t\treturn v + 1\n\treturn 0\n",
    "data/numbers.csv": "a,b\n1,2\n",
}
IDS = ["pkg/model.py::Model.total", "pkg/model.py::scale", "pkg/util.py::helper"]


def _write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    return root


def _run(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-B", "run.py"], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def code(tmp_path: Path) -> Path:
    root = _write_tree(tmp_path / "code", FILES)
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"\x00gold")
    (root / "stray.pyc").write_bytes(b"\x00gold")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


def test_mask_tree_then_restore(code: Path, tmp_path: Path) -> None:
    assert json.loads(_run(code).stdout) == {"value": 29.0}
    out = tmp_path / "ws"
    tree = mask_tree(code, out, [(IDS[0], "Sum xs and scale by k."), (IDS[1], None), (IDS[2], "h")])
    assert tree.masked_files == ["pkg/model.py", "pkg/util.py"]
    assert set(tree.originals) == set(IDS)
    assert tree.originals[IDS[1]] == " return x * 10"
    assert not (out / ".git").exists() and not (out / "stray.pyc").exists()
    assert not (out / "pkg" / "__pycache__").exists()
    assert (out / "data" / "numbers.csv").read_bytes() == (code / "data/numbers.csv").read_bytes()
    masked = (out / "pkg/model.py").read_bytes()
    assert b"\r\n" in masked and b"\n" not in masked.replace(b"\r\n", b"")
    assert b"math.fsum" not in masked and b"# sum then scale" not in masked
    assert b'"""Sum xs and scale by k."""' in masked
    assert "\tif v" not in (out / "pkg/util.py").read_text()
    failed = _run(out)
    assert failed.returncode != 0 and "NotImplementedError" in failed.stderr

    restore_bodies(out, tree.originals)
    for rel in FILES:
        assert (out / rel).read_bytes() == (code / rel).read_bytes(), rel
    assert json.loads(_run(out).stdout) == {"value": 29.0}


def test_mask_tree_errors(code: Path, tmp_path: Path) -> None:
    with pytest.raises(MaskingError, match=r"pkg/model\.py::Model\.nope"):
        mask_tree(code, tmp_path / "a", [("pkg/model.py::Model.nope", None)])
    assert not (tmp_path / "a").exists()  # ids are checked before anything is written
    with pytest.raises(MaskingError, match=r"pkg/missing\.py::f.*not found"):
        mask_tree(code, tmp_path / "b", [("pkg/missing.py::f", None)])
    with pytest.raises(MaskingError, match="twice"):
        mask_tree(code, tmp_path / "c", [(IDS[1], None), (IDS[1], "x")])
    with pytest.raises(MaskingError, match=r"relative (path|to code/)"):
        mask_tree(code, tmp_path / "d", [("../code/run.py::main", None)])
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("")
    with pytest.raises(MaskingError, match="empty"):
        mask_tree(code, busy, [(IDS[1], None)])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert mask_tree(code, empty, [(IDS[1], None)]).masked_files == ["pkg/model.py"]


def _agent_workspace(code: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "agent"
    mask_tree(code, ws, [(i, None) for i in IDS])
    return ws


def test_merge_keeps_agent_bodies_only(code: Path, tmp_path: Path) -> None:
    ws = _agent_workspace(code, tmp_path)
    model = (ws / "pkg/model.py").read_bytes().decode()
    # the agent's (different but correct) bodies
    model = replace_body(model, "Model.total", "return sum(xs) * self.k")
    model = replace_body(model, "scale", "return 10 * x")
    # and edits outside the masked bodies, which must not reach grading
    model = model.replace("import math", "import math\r\nHACK = 1")
    model = replace_body(model, "Model.__init__", "self.k = 1000")
    (ws / "pkg/model.py").write_bytes(model.encode())
    util = (ws / "pkg/util.py").read_text()
    (ws / "pkg/util.py").write_text(replace_body(util, "helper", "return v + 1 if v else 0"))
    (ws / "run.py").write_text(
        FILES["run.py"].replace("scale(2)", "scale(0)") + "\n# agent was here\n"
    )
    (ws / "helper_new.py").write_text("X = 1\n")
    (ws / "outputs.log").write_text("experiment output\n")
    (ws / "results.json").write_text("{}")
    (ws / "data/numbers.csv").unlink()
    (ws / "pkg" / "__pycache__").mkdir()
    (ws / "pkg" / "__pycache__" / "x.pyc").write_bytes(b"\x00")

    res = merge_for_grading(code, ws, IDS, tmp_path / "grade")
    assert res.from_agent == IDS and res.fell_back == [] and res.problems == []
    assert res.edited_outside_mask
    assert res.outside_edits == [
        "deleted: data/numbers.csv",
        "added: helper_new.py",
        "modified: pkg/model.py",
        "modified: run.py",
    ]
    graded = tmp_path / "grade"
    merged = (graded / "pkg/model.py").read_bytes().decode()
    assert "HACK" not in merged and "self.k = k\r\n" in merged
    assert extract_body(merged, "Model.total") == "\r\n        return sum(xs) * self.k"
    assert (graded / "run.py").read_text() == FILES["run.py"]
    assert not (graded / "helper_new.py").exists() and (graded / "data/numbers.csv").exists()
    assert json.loads(_run(graded).stdout) == {"value": 29.0}


def test_merge_without_outside_edits(code: Path, tmp_path: Path) -> None:
    ws = _agent_workspace(code, tmp_path)
    util = (ws / "pkg/util.py").read_text()
    (ws / "pkg/util.py").write_text(
        replace_body(util, "helper", "import os\nreturn len(os.sep) + v")
    )
    (ws / "results.json").write_text("{}")
    (ws / "outputs.log").write_text("not source: ignored\n")
    res = merge_for_grading(code, ws, IDS, tmp_path / "grade")
    assert not res.edited_outside_mask, res.outside_edits
    assert res.from_agent == IDS
    merged = (tmp_path / "grade/pkg/util.py").read_text()
    assert merged == "def helper(v):\n\timport os\n\treturn len(os.sep) + v\n"


def test_merge_falls_back_for_unusable_agent_files(code: Path, tmp_path: Path) -> None:
    ws = _agent_workspace(code, tmp_path)
    (ws / "pkg/util.py").write_text("def helper(v:\n    return 1\n")  # does not parse
    model = (ws / "pkg/model.py").read_bytes().decode()
    (ws / "pkg/model.py").write_bytes(model.replace("def scale(x)", "def scaled(x)").encode())
    res = merge_for_grading(code, ws, IDS, tmp_path / "grade")
    assert res.from_agent == ["pkg/model.py::Model.total"]
    assert res.fell_back == ["pkg/model.py::scale", "pkg/util.py::helper"]
    assert any("pkg/model.py::scale" in p for p in res.problems)
    assert any("pkg/util.py" in p and "parse" in p for p in res.problems)
    assert res.edited_outside_mask
    graded = tmp_path / "grade"
    assert extract_body((graded / "pkg/util.py").read_text(), "helper") == (
        "\n\traise NotImplementedError"
    )
    merged_model = (graded / "pkg/model.py").read_bytes().decode()
    assert extract_body(merged_model, "scale") == "\r\n    raise NotImplementedError"

    (ws / "pkg/util.py").unlink()
    res = merge_for_grading(code, ws, IDS, tmp_path / "grade2")
    assert "pkg/util.py::helper" in res.fell_back
    assert "deleted: pkg/util.py" in res.outside_edits


def test_merge_ignores_symlinks_planted_by_the_agent(code: Path, tmp_path: Path) -> None:
    ws = _agent_workspace(code, tmp_path)
    (ws / "pkg/util.py").unlink()
    (ws / "pkg/util.py").symlink_to(code / "pkg/util.py")  # the gold file on the host
    res = merge_for_grading(code, ws, IDS, tmp_path / "grade")
    assert "pkg/util.py::helper" in res.fell_back
    assert "modified: pkg/util.py (not a regular file)" in res.outside_edits
    assert "return v + 1" not in (tmp_path / "grade/pkg/util.py").read_text()


def test_empty_combo_copies_only(code: Path, tmp_path: Path) -> None:
    tree = mask_tree(code, tmp_path / "ws", [])
    assert tree.originals == {} and tree.masked_files == []
    for rel in FILES:
        assert (tree.root / rel).read_bytes() == (code / rel).read_bytes()
    res = merge_for_grading(code, tree.root, [], tmp_path / "grade")
    assert res.from_agent == [] and not res.edited_outside_mask
    assert res.model_dump()["edited_outside_mask"] is False
