"""workspace.diff without a second copy of the workspace: what the agent was given is read
back from the original code and the masked files (`Prepared.pristine`), and the diff is the
one a copy taken before the agent started gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from autoexp.runner._attempt import workspace_diff
from autoexp.runner._prepare import prepare_workspace, read_results_file
from autoexp.tasks import load_task

from conftest import TOY

COMBO = ("stats.py::mean", "stats.py::variance")


def _edit_masked(w: Path) -> None:
    text = (w / "stats.py").read_text()
    (w / "stats.py").write_text(text.replace("raise NotImplementedError", "return 0.0", 1))


def _add_and_delete(w: Path) -> None:
    (w / "new.py").write_text("x = 1\n")
    (w / "run.py").unlink()


def _odd_files(w: Path) -> None:
    (w / "b.bin").write_bytes(b"\xff\x00" * 10)
    (w / "big.txt").write_text("a" * (2 << 20))
    os.symlink("/etc/passwd", w / "link")
    (w / "x.pyc").write_bytes(b"1")
    (w / ".autoexp").mkdir()
    (w / ".autoexp" / "prompt.md").write_text("harness file")


def _replace_by_symlink(w: Path) -> None:
    (w / "run.py").unlink()
    os.symlink("stats.py", w / "run.py")


@pytest.mark.parametrize(
    "change", [lambda w: None, _edit_masked, _add_and_delete, _odd_files, _replace_by_symlink]
)
def test_diff_is_the_diff_against_a_copy_taken_before_the_agent(tmp_path, change):
    prep = prepare_workspace(load_task(TOY), COMBO, tmp_path / "scratch")
    before = tmp_path / "before"
    shutil.copytree(prep.workspace, before, symlinks=True)
    change(prep.workspace)
    assert workspace_diff(prep) == workspace_diff(before, prep.workspace)


def test_pristine_reads_what_the_agent_was_given(tmp_path):
    prep = prepare_workspace(load_task(TOY), COMBO, tmp_path)
    for rel in prep.files:
        assert prep.pristine(rel, 1 << 20) == ((prep.workspace / rel).read_bytes(), None)
    assert "raise NotImplementedError" in prep.pristine("stats.py", 1 << 20)[0].decode()
    assert prep.pristine("no-such-file.py", 1 << 20) == (None, None)
    assert prep.pristine("stats.py", 10)[0] is None  # over the cap: not read


def test_a_results_file_the_code_ships_is_not_a_submission(tmp_path):
    task_dir = tmp_path / "task"
    shutil.copytree(TOY, task_dir)
    (task_dir / "code" / "results.json").write_text('{"moments": {"mean": 1.0}}')
    prep = prepare_workspace(load_task(task_dir), COMBO, tmp_path / "scratch")
    assert read_results_file(prep) == (None, None)
    (prep.workspace / "results.json").write_text('{"moments": {"mean": 2.0}}')
    assert read_results_file(prep)[0] == {"moments": {"mean": 2.0}}
