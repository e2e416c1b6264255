"""Task environments (issue 16, item 7): a task naming a requirements file runs in an
environment built once from it, cached outside the workspace and mounted read-only; autoexp's
own packages stay visible beneath it; a requirements file that cannot be installed stops the run
before anything runs, naming the task and pip's complaint."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import textwrap
import zipfile

from autoexp.runner._envs import MARKER, environment_path
from autoexp.tasks import load_task

from conftest import attempts_json, autoexp

_WHEEL_FILES = {
    "tinylib/__init__.py": "SCALE = 3.0\n",
    "tinylib-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinylib\nVersion: 0.1\n",
    "tinylib-0.1.dist-info/WHEEL": (
        "Wheel-Version: 1.0\nGenerator: autoexp-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ),
}


def _wheel(path):
    """A minimal pure-Python wheel of a package `tinylib` (not installed anywhere else)."""
    record = []
    with zipfile.ZipFile(path, "w") as z:
        for name, text in _WHEEL_FILES.items():
            data = text.encode()
            z.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{name},sha256={digest.decode()},{len(data)}")
        record.append("tinylib-0.1.dist-info/RECORD,,")
        z.writestr("tinylib-0.1.dist-info/RECORD", "\n".join(record) + "\n")


def _task(root, requirement: str):
    code = root / "code"
    (code / "wheels").mkdir(parents=True)
    _wheel(code / "wheels" / "tinylib-0.1-py3-none-any.whl")
    (code / "requirements.txt").write_text(requirement + "\n", encoding="utf-8")
    (code / "calc.py").write_text(
        textwrap.dedent(
            '''\
            import numpy as np
            import tinylib


            def scaled(x):
                """x times tinylib's SCALE, through numpy."""
                factor = tinylib.SCALE
                value = np.float64(x) * factor
                return float(value)
            '''
        ),
        encoding="utf-8",
    )
    (code / "run.py").write_text(
        "import json\nfrom calc import scaled\nprint(json.dumps({'y': scaled(2.0)}))\n",
        encoding="utf-8",
    )
    (root / "paper.md").write_text("We scale by three.\n", encoding="utf-8")
    (root / "task.yaml").write_text(
        textwrap.dedent(
            """\
            schema: 1
            id: needs-env
            title: A task with its own requirements
            experiments:
              - id: e
                description: Scale two.
                command: python run.py
                metrics:
                  y: {expected: 6.0}
                depends_on: [calc.py::scaled]
            functions:
              - id: calc.py::scaled
                description: x times tinylib's SCALE.
            needs:
              requirements: [requirements.txt]
            """
        ),
        encoding="utf-8",
    )
    return root


def test_the_environment_is_built_once_and_the_oracle_passes_in_it(tmp_path, monkeypatch):
    task_dir = _task(tmp_path / "task", "./wheels/tinylib-0.1-py3-none-any.whl")
    monkeypatch.setenv("AUTOEXP_ENVS_DIR", str(tmp_path / "envs"))
    env = dict(os.environ)
    args = ["run", str(task_dir), "--agent", "oracle", "--agent", "noop", "--no-progress"]
    first = autoexp(*args, "--run-dir", str(tmp_path / "r1"), env=env)
    assert "building the environment of needs-env" in first.stderr
    rows = {r["agent"]: r for r in attempts_json(tmp_path / "r1")}
    assert rows["oracle"]["status"] == "passed", rows["oracle"]
    assert rows["noop"]["status"] == "failed"
    built = environment_path(load_task(task_dir))
    assert built is not None and built.parent == tmp_path / "envs"
    assert json.loads((built / MARKER).read_text())["requirements"] == ["requirements.txt"]
    stamp = (built / MARKER).stat().st_mtime_ns
    second = autoexp(*args, "--run-dir", str(tmp_path / "r2"), env=env)
    assert "building the environment" not in second.stderr  # cached
    assert (built / MARKER).stat().st_mtime_ns == stamp
    assert {r["status"] for r in attempts_json(tmp_path / "r2") if r["agent"] == "oracle"} == {
        "passed"
    }
    # the workspace never held the environment
    assert not any(p.name == "tinylib" for p in (tmp_path / "r1").rglob("tinylib"))


def test_requirements_that_cannot_be_installed_stop_the_run_before_it_starts(tmp_path):
    task_dir = _task(tmp_path / "task", "./wheels/missing-0.1-py3-none-any.whl")
    env = {**os.environ, "AUTOEXP_ENVS_DIR": str(tmp_path / "envs")}
    proc = autoexp(
        "run", str(task_dir), "--agent", "oracle", "--no-progress",
        "--run-dir", str(tmp_path / "run"), env=env, check=False,
    )  # fmt: skip
    said = " ".join(proc.stderr.split())
    assert proc.returncode == 2, proc.stderr
    assert "task needs-env: cannot install requirements.txt" in said
    assert "missing-0.1-py3-none-any.whl" in said
    assert not (tmp_path / "run").exists()
    assert not [p for p in (tmp_path / "envs").iterdir() if not p.name.endswith(".lock")]


def test_validation_runs_the_task_in_its_environment(tmp_path, monkeypatch):
    task_dir = _task(tmp_path / "task", "./wheels/tinylib-0.1-py3-none-any.whl")
    monkeypatch.setenv("AUTOEXP_ENVS_DIR", str(tmp_path / "envs"))
    proc = autoexp("tasks", "validate", str(task_dir), "--no-mutants", check=False)
    lines = [line for line in proc.stdout.splitlines() if "oracle e" in line or "mask " in line]
    assert proc.returncode == 0, proc.stdout
    assert lines and all("FAIL" not in line for line in lines), lines
