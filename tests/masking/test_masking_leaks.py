"""The leak check: no masked body may be recoverable from a prepared workspace."""

from __future__ import annotations

import json
import py_compile
import zipfile
from pathlib import Path

import pytest

from autoexp.errors import LeakError
from autoexp.masking import LeakKind, ensure_no_leaks, leak_check, mask_tree

CODE = {
    "spectral.py": (
        "import numpy as np\n\n\n"
        "def laplacian(W):\n"
        '    """Normalised graph Laplacian of the affinity matrix W."""\n'
        "    d = W.sum(axis=1)\n"
        "    d_inv_sqrt = 1.0 / np.sqrt(d)  # scale rows and columns by D^{-1/2}\n"
        "    L = np.eye(len(W)) - d_inv_sqrt[:, None] * W * d_inv_sqrt[None, :]\n"
        "    return L\n\n\n"
        "def embed(W, k):\n"
        "    d = W.sum(axis=1)\n"
        "    vals, vecs = np.linalg.eigh(laplacian(W))\n"
        "    return vecs[:, :k]\n"
    ),
    "run.py": "from spectral import embed\n\nprint(embed)\n",
    "README.md": "# Spectral clustering\n\nRun `python run.py`.\n",
}
FID = "spectral.py::laplacian"
DESCRIPTION = "Normalised graph Laplacian of the affinity matrix W."
GOLD_LINE = "L = np.eye(len(W)) - d_inv_sqrt[:, None] * W * d_inv_sqrt[None, :]"


@pytest.fixture
def masked(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    code = tmp_path / "code"
    code.mkdir()
    for rel, text in CODE.items():
        (code / rel).write_text(text)
    tree = mask_tree(code, tmp_path / "ws", [(FID, DESCRIPTION)])
    return tree.root, tree.originals


def test_clean_masked_tree_has_no_leaks(masked: tuple[Path, dict[str, str]]) -> None:
    ws, originals = masked
    # `d = W.sum(axis=1)` also stays in embed(); the docstring equals the description
    assert leak_check(ws, originals) == []
    ensure_no_leaks(ws, originals)


def test_body_line_in_a_comment_elsewhere(masked: tuple[Path, dict[str, str]]) -> None:
    ws, originals = masked
    run = ws / "run.py"
    run.write_text(run.read_text() + f"# old version: {GOLD_LINE}\n")
    leaks = leak_check(ws, originals)
    assert [(lk.kind, lk.path, lk.line, lk.function_id) for lk in leaks] == [
        (LeakKind.TEXT, "run.py", 4, FID)
    ]
    assert leaks[0].text == GOLD_LINE
    with pytest.raises(LeakError, match=r"run\.py:4"):
        ensure_no_leaks(ws, originals)


def test_comment_and_docstring_of_other_function(masked: tuple[Path, dict[str, str]]) -> None:
    ws, originals = masked
    spectral = ws / "spectral.py"
    spectral.write_text(
        spectral.read_text().replace(
            "def embed(W, k):\n",
            'def embed(W, k):\n    """Like laplacian: d_inv_sqrt = 1.0 / np.sqrt(d)."""\n',
        )
        + "# scale rows and columns by D^{-1/2} (see the paper)\n"
    )
    found = {(lk.path, lk.line, lk.text) for lk in leak_check(ws, originals)}
    assert found == {
        ("spectral.py", 10, "d_inv_sqrt = 1.0 / np.sqrt(d)"),
        ("spectral.py", 14, "# scale rows and columns by D^{-1/2}"),
    }


def test_notebook_with_the_code(masked: tuple[Path, dict[str, str]]) -> None:
    ws, originals = masked
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": ["W = load()\n", f"    {GOLD_LINE}\n", 'print("done")'],
                "outputs": [],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (ws / "explore.ipynb").write_text(json.dumps(nb))
    leaks = leak_check(ws, originals)
    assert {(lk.kind, lk.path) for lk in leaks} == {(LeakKind.TEXT, "explore.ipynb")}


def test_quotes_escaped_in_json(masked: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    code = tmp_path / "c2"
    code.mkdir()
    (code / "m.py").write_text('def f(x):\n    return x.replace("\\t", "    ")\n')
    tree = mask_tree(code, tmp_path / "ws2", [("m.py::f", None)])
    (tree.root / "notes.json").write_text(json.dumps({"tip": 'return x.replace("\\t", "    ")'}))
    leaks = leak_check(tree.root, tree.originals)
    assert [(lk.path, lk.line) for lk in leaks] == [("notes.json", None)]


def test_pyc_and_pycache(masked: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    ws, originals = masked
    gold = tmp_path / "code" / "spectral.py"
    py_compile.compile(str(gold), cfile=str(ws / "spectral.cpython-311.pyc"))
    (ws / "__pycache__").mkdir()
    kinds = {(lk.kind, lk.path) for lk in leak_check(ws, originals)}
    assert kinds == {
        (LeakKind.BYTECODE, "spectral.cpython-311.pyc"),
        (LeakKind.BYTECODE, "__pycache__"),
    }


def test_git_directory(masked: tuple[Path, dict[str, str]]) -> None:
    ws, originals = masked
    (ws / "sub").mkdir()
    (ws / "sub" / ".git").mkdir()
    (ws / "sub" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (ws / ".git").write_text("gitdir: /somewhere/else\n")  # a worktree pointer file
    leaks = leak_check(ws, originals)
    assert {(lk.kind, lk.path) for lk in leaks} == {
        (LeakKind.VCS, "sub/.git"),
        (LeakKind.VCS, ".git"),
    }


def test_symlink_and_archive(masked: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    ws, originals = masked
    (ws / "gold.py").symlink_to(tmp_path / "code" / "spectral.py")
    (ws / "inner.py").symlink_to(ws / "run.py")  # inside the workspace: fine
    with zipfile.ZipFile(ws / "backup.zip", "w") as zf:
        zf.writestr("old/spectral.py", CODE["spectral.py"])
    leaks = leak_check(ws, originals)
    assert (LeakKind.SYMLINK, "gold.py") in {(lk.kind, lk.path) for lk in leaks}
    assert "backup.zip!old/spectral.py" in {lk.path for lk in leaks if lk.kind == LeakKind.TEXT}
    assert not any(lk.path == "inner.py" for lk in leaks)


def test_exclude_and_short_lines(masked: tuple[Path, dict[str, str]]) -> None:
    ws, originals = masked
    (ws / "paper.md").write_text(f"We compute\n\n    {GOLD_LINE}\n\nand return L.\n")
    assert leak_check(ws, originals, exclude=["paper.md"]) == []
    assert [lk.path for lk in leak_check(ws, originals)] == ["paper.md"]
    (ws / "paper.md").write_text("return L\n")  # shorter than MIN_LINE_CHARS
    assert leak_check(ws, originals) == []
