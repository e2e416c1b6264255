"""Task environments: a task whose task.yaml names requirement files (`needs.requirements`)
runs in a virtual environment built once from them, cached outside every workspace and
mounted read-only, instead of installing anything per attempt.

The environment sees autoexp's own packages (numpy, scikit-learn, ...) beneath its own, so a
requirements file need only list what the task adds. It is keyed by the requirement files'
contents and the interpreter: editing a requirements file builds a new one. Builds take a file
lock, so parallel workers and runs wait for one build instead of racing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import site
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from autoexp.errors import TaskError
from autoexp.protocols import Sandbox
from autoexp.sandbox._types import SandboxConfig
from autoexp.tasks._model import Task

MARKER = ".autoexp-env.json"
"""Written last into a finished environment (what it was built from)."""
PIP_TAIL = 2000
"""Characters of pip's output kept in an error."""


def envs_dir() -> Path:
    """Where task environments live: $AUTOEXP_ENVS_DIR, else ~/.cache/autoexp/envs."""
    given = os.environ.get("AUTOEXP_ENVS_DIR")
    return Path(given) if given else Path.home() / ".cache" / "autoexp" / "envs"


def _requirement_files(task: Task) -> list[Path]:
    files = []
    for rel in task.spec.needs.requirements:
        path = task.code_dir / rel
        if not path.is_file():
            raise TaskError(f"{task.root / 'task.yaml'}: needs.requirements: {rel} is not a file "
                            "in code/")  # fmt: skip
        if path.suffix != ".txt":
            raise TaskError(
                f"{task.root / 'task.yaml'}: needs.requirements: {rel}: only pip requirements "
                "files (.txt) can be built into an environment; set the task up by hand"
            )
        files.append(path)
    return files


def environment_path(task: Task) -> Path | None:
    """The task's environment directory (built or not), None when it names no requirements."""
    files = _requirement_files(task)
    if not files:
        return None
    h = hashlib.sha256(f"{sys.version}|{os.path.realpath(sys.executable)}".encode())
    for f in files:
        h.update(f.relative_to(task.code_dir).as_posix().encode() + b"\0" + f.read_bytes())
    return envs_dir() / f"{task.id}-{h.hexdigest()[:16]}"


def task_environment(task: Task, on_progress: Callable[[str], None] | None = None) -> Path | None:
    """The task's environment, built first when it is not there yet; None when the task names
    no requirements. TaskError (with the end of pip's output) when it cannot be built."""
    env = environment_path(task)
    if env is None or (env / MARKER).is_file():
        return env
    env.parent.mkdir(parents=True, exist_ok=True)
    with open(env.with_name(env.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it
        if not (env / MARKER).is_file():
            if on_progress:
                on_progress(f"building the environment of {task.id} in {env} (once)")
            _build(task, env)
    return env


def _build(task: Task, env: Path) -> None:
    tmp = env.with_name(env.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(env, ignore_errors=True)
    try:
        _run([sys.executable, "-m", "venv", str(tmp)], task, "create the environment")
        py = tmp / "bin" / "python"
        purelib = subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        parents = [p for p in site.getsitepackages() if os.path.isdir(p)]
        (Path(purelib) / "_autoexp_parent.pth").write_text(  # autoexp's packages, beneath
            "".join(f"import site; site.addsitedir({p!r})\n" for p in parents), encoding="utf-8"
        )
        for req in _requirement_files(task):
            _run(
                [str(py), "-m", "pip", "install", "--no-input", "--disable-pip-version-check",
                 "-q", "-r", str(req)],
                task, f"install {req.relative_to(task.code_dir)}", cwd=task.code_dir,
            )  # fmt: skip
        files = [str(r) for r in task.spec.needs.requirements]
        (tmp / MARKER).write_text(json.dumps({"task": task.id, "requirements": files}))
        os.chmod(tmp, 0o755)
        tmp.rename(env)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _run(argv: list[str], task: Task, what: str, cwd: Path | None = None) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-PIP_TAIL:]
        raise TaskError(f"task {task.id}: cannot {what} (exit {proc.returncode}):\n{tail}")


def with_environment(config: SandboxConfig, env: Path | None) -> SandboxConfig:
    """`config` running the environment's Python (its directory mounted read-only)."""
    if env is None:
        return config
    return config.model_copy(
        update={"python_dir": env / "bin", "extra_ro": [*config.extra_ro, env]}
    )


def task_sandbox(
    task: Task,
    *,
    backend: str = "auto",
    config: SandboxConfig | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Sandbox:
    """A sandbox for running `task`'s code outside a run (validation, recording, regrading):
    in the task's environment when it names requirements (built first if needed), with the
    first `needs.gpus` of this machine's GPUs unless `config` names some (not held exclusively:
    there is no executor here to share them out)."""
    from autoexp.runner._gpus import machine_gpus
    from autoexp.sandbox import make_sandbox

    config = (config or SandboxConfig()).model_copy()
    if task.spec.needs.gpus and not config.gpus:
        config.gpus = machine_gpus()[: task.spec.needs.gpus]
    env = task_environment(task, on_progress)
    return make_sandbox(with_environment(config, env), backend=backend)
