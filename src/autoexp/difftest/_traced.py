"""Running one experiment of the original code under the recording tracer."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from autoexp.difftest._replay import SampleFiles
from autoexp.protocols import Sandbox
from autoexp.tasks._model import Experiment, Task

RECORD_DIR = ".autoexp_record"
"""Folder of the tracer (a sitecustomize module), its spec and output in the traced copy."""
TRACER_SOURCE = Path(__file__).with_name("_tracer.py")
"""The tracer, copied into the tree as sitecustomize.py."""
_MAX_CALLS_JSON = 8 << 20
_SAMPLE_FILE = re.compile(r"^(f\d+)-(\d+)-(\d+)$")


@dataclass
class Traced:
    """One traced run of one experiment."""

    counts: dict[str, int] = field(default_factory=dict)
    """Function key -> calls (the largest count of any one process)."""
    pickles: dict[tuple[str, int], SampleFiles] = field(default_factory=dict)
    """(function key, call index) -> its files, copied out of the tree."""
    sizes: dict[tuple[str, int], int] = field(default_factory=dict)
    """(function key, call index) -> compressed size of its pickle and blobs."""
    skips: dict[tuple[str, int], str] = field(default_factory=dict)
    """(function key, call index) -> why the call was not pickled."""
    modules: dict[str, str] = field(default_factory=dict)
    """Function key -> its module's __name__ in the experiment."""
    sys_path: list[str] = field(default_factory=list)
    """sys.path entries inside the tree (relative)."""
    error: str | None = None
    """Why the experiment failed, if it did."""


def _traced_command(command: str) -> str:
    d = f"$PWD/{RECORD_DIR}"
    return (
        f'export AUTOEXP_DIFF_SPEC="{d}/spec.json" AUTOEXP_DIFF_OUT="{d}/out" '
        f'AUTOEXP_DIFF_ROOT="$PWD" PYTHONPATH="{d}${{PYTHONPATH:+:$PYTHONPATH}}"; {command}'
    )


def run_traced(
    task: Task,
    exp: Experiment,
    spec: dict,
    sandbox: Sandbox,
    work: Path,
    keep: Path | None,
) -> Traced:
    """Run `exp` on a fresh copy of code/ with the tracer; move its pickles to `keep`."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(task.code_dir, work, ignore=shutil.ignore_patterns("__pycache__"))
    d = work / RECORD_DIR
    (d / "out").mkdir(parents=True)
    shutil.copyfile(TRACER_SOURCE, d / "sitecustomize.py")
    (d / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    for p in (d, d / "out"):
        p.chmod(0o777)
    out = Traced()
    try:
        if task.spec.setup:
            sandbox.run(task.spec.setup, work, timeout_s=exp.timeout_s, network=False)
        res = sandbox.run(
            _traced_command(exp.command), work, timeout_s=exp.timeout_s * 4, network=False
        )
        if not res.ok:
            why = "timed out" if res.timed_out else f"exit {res.exit_code}"
            out.error = f"{why}: {res.stderr[-400:]}"
        files = sorted((d / "out").glob("calls-*.json"), key=lambda p: int(p.stem.split("-")[1]))
        for f in files:
            if f.is_symlink() or f.stat().st_size > _MAX_CALLS_JSON:
                continue
            data = json.loads(f.read_text(encoding="utf-8"))
            for key, n in data.get("counts", {}).items():
                out.counts[key] = max(out.counts.get(key, 0), int(n))
            for key, by_index in data.get("skips", {}).items():
                for i, why in by_index.items():
                    out.skips.setdefault((key, int(i)), str(why))
            for key, mod in data.get("module", {}).items():
                out.modules.setdefault(key, mod)
            for entry in data.get("sys_path", []):
                if entry not in out.sys_path and not entry.startswith(RECORD_DIR):
                    out.sys_path.append(entry)
        if keep is not None:
            _keep_pickles(d / "out", keep, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _keep_pickles(src: Path, keep: Path, out: Traced) -> None:
    """Copy the tracer's sample files (never loading them) from `src` to `keep`; of two
    processes that recorded the same call index, the first one's files are kept."""
    (keep / "blobs").mkdir(parents=True, exist_ok=True)
    found = []
    for p in src.glob("f*.pkl"):
        m = _SAMPLE_FILE.match(p.stem)
        if m and not p.is_symlink():
            found.append((int(m.group(3)), m.group(1), int(m.group(2)), p))
    for _, key, index, p in sorted(found):
        if (key, index) in out.pickles:
            continue
        meta_file = p.with_suffix(".json")
        if meta_file.is_symlink() or not meta_file.is_file():
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        blobs = []
        for name in meta.get("blobs", []):
            blob = src / f"blob-{name}.pkl"
            if not str(name).isalnum() or blob.is_symlink() or not blob.is_file():
                break
            target = keep / "blobs" / f"{name}.pkl"
            if not target.exists():
                shutil.copyfile(blob, target)
            blobs.append(target)
        else:
            target = keep / f"{key}-{index}.pkl"
            shutil.copyfile(p, target)
            rnd, rnd_target = p.with_suffix(".rnd"), None
            if rnd.is_file() and not rnd.is_symlink():
                rnd_target = target.with_suffix(".rnd")
                shutil.copyfile(rnd, rnd_target)
            out.pickles[(key, index)] = SampleFiles(target, rnd_target, tuple(blobs))
            out.sizes[(key, index)] = int(meta.get("bytes", 0))
