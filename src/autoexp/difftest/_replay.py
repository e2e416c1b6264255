"""Running the runner on a copy of a tree, in the sandbox, and reading its JSON back safely."""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autoexp.difftest._types import FunctionSamples
from autoexp.protocols import Sandbox
from autoexp.tasks._model import Task, split_function_id

DIFF_DIR = ".autoexp_diff"
"""Folder of the runner, its job and inputs inside the tree under test."""
RESULTS = f"{DIFF_DIR}/out/results.json"
"""Where the runner writes (relative to the tree)."""
RUNNER_SOURCE = Path(__file__).with_name("_runner.py")
"""The runner script copied into the tree."""
SAMPLE_CAP = 4 << 20
"""Largest encoded output of one call the runner keeps (bytes)."""
FILE_CAP = 48 << 20
"""Largest results file the runner writes and the host reads (bytes)."""
_IGNORE = shutil.ignore_patterns("__pycache__", DIFF_DIR, ".autoexp_trace", ".autoexp_record")


@dataclass
class Replay:
    """What one runner process left: its exit and its parsed results (None: unusable)."""

    exit_code: int | None
    timed_out: bool
    stderr_tail: str
    results: dict[str, Any] | None
    problem: str = ""
    samples: list[Any] = field(default_factory=list)


def _open_inside(root: Path, rel: str) -> int:
    """Open `root/rel` for reading without following any symlink below `root`."""
    parts = rel.split("/")
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nxt
        return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
    finally:
        os.close(fd)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid here")


def read_results(root: Path, rel: str = RESULTS, cap: int = FILE_CAP) -> tuple[dict | None, str]:
    """The runner's results under `root` as JSON (never unpickled), or (None, why not).

    Reads at most `cap` bytes of a regular file reached without symlinks."""
    try:
        fd = _open_inside(root, rel)
    except FileNotFoundError:
        return None, "no results file"
    except OSError as e:
        return None, f"results file not readable: {e.strerror}"
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None, "results path is not a regular file"
        if st.st_size > cap:
            return None, f"results file over {cap} bytes"
        blob = f.read(cap + 1)
    if len(blob) > cap:
        return None, f"results file over {cap} bytes"
    try:
        data = json.loads(blob.decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, RecursionError, UnicodeDecodeError) as e:
        return None, f"results file is not valid JSON: {str(e)[:200]}"
    if not isinstance(data, dict) or not isinstance(data.get("samples"), list):
        return None, "results file has no sample list"
    return data, ""


def runner_command() -> str:
    """The shell command that runs the runner (cwd: the tree)."""
    return f"python {DIFF_DIR}/runner.py {DIFF_DIR}/job.json"


@dataclass(frozen=True)
class SampleFiles:
    """The files of one sample: its arguments, random states and shared arrays."""

    input: Path
    random: Path | None = None
    blobs: tuple[Path, ...] = ()


def install_runner(
    work: Path, function_id: str, entry: FunctionSamples, inputs: list[SampleFiles]
) -> None:
    """Put the runner, a job and the samples' files (in order) into the tree `work`."""
    _, qual = split_function_id(function_id)
    d = work / DIFF_DIR
    if d.is_symlink() or d.is_file():
        d.unlink()
    elif d.exists():
        shutil.rmtree(d)
    (d / "inputs" / "blobs").mkdir(parents=True)
    (d / "out").mkdir()
    shutil.copyfile(RUNNER_SOURCE, d / "runner.py")
    samples: list[dict[str, str | None]] = []
    states: dict[Path, str] = {}
    for i, files in enumerate(inputs):
        shutil.copyfile(files.input, d / "inputs" / f"{i}.pkl")
        for blob in files.blobs:
            target = d / "inputs" / "blobs" / blob.name
            if not target.exists():
                shutil.copyfile(blob, target)
        name = None
        if files.random is not None:
            if files.random not in states:
                states[files.random] = f"r{len(states)}.pkl"
                shutil.copyfile(files.random, d / "inputs" / states[files.random])
            name = states[files.random]
        samples.append({"input": f"{i}.pkl", "random": name})
    job = {
        "function": function_id,
        "module": entry.module,
        "import_root": entry.import_root,
        "sys_path": entry.sys_path,
        "qualname": qual,
        "root": ".",
        "inputs": f"{DIFF_DIR}/inputs",
        "results": RESULTS,
        "samples": samples,
        "sample_cap": SAMPLE_CAP,
        "file_cap": FILE_CAP,
    }
    (d / "job.json").write_text(json.dumps(job), encoding="utf-8")


def replay(
    task: Task,
    tree: Path,
    function_id: str,
    entry: FunctionSamples,
    inputs: list[SampleFiles],
    sandbox: Sandbox,
    work: Path,
    *,
    timeout_s: float,
) -> Replay:
    """Copy `tree` (never written) to `work`, call the function on each input (pickle and
    random-state pickle) in one sandboxed process without network, and read the results;
    `work` is removed afterwards."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(tree, work, ignore=_IGNORE, symlinks=True)
    try:
        install_runner(work, function_id, entry, inputs)
        if task.spec.setup:
            sandbox.run(task.spec.setup, work, timeout_s=timeout_s, network=False)
        res = sandbox.run(runner_command(), work, timeout_s=timeout_s, network=False)
        data, problem = read_results(work)
        return Replay(
            exit_code=res.exit_code,
            timed_out=res.timed_out,
            stderr_tail=res.stderr[-800:],
            results=data,
            problem=problem,
            samples=list(data["samples"]) if data else [],
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
