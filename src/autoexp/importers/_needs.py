"""What an imported paper's code needs to run, and whether an experiment's command prints its
metrics as JSON, found by reading the code (nothing is run)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from pathlib import Path

from autoexp.masking._tree import SKIP_DIRS
from autoexp.tasks._model import Needs

REQUIREMENT_FILES = (
    "requirements.txt",
    "requirements-dev.txt",
    "environment.yml",
    "environment.yaml",
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "Pipfile",
)
"""Files (at the root of code/) that list what the code needs installed."""

_GPU = re.compile(
    r"\.cuda\(|['\"]cuda|torch\.cuda|jax\.devices\(['\"]gpu|tf\.config\.list_physical"
)
"""Code that uses a GPU."""
_NETWORK = re.compile(
    r"urlretrieve|urlopen|requests\.get|wget |curl |download\s*=\s*True|from_pretrained\(|"
    r"load_dataset\(|hf_hub_download|snapshot_download|gdown|torch\.hub\.load"
)
"""Code that fetches data or weights over the network."""
_MAX_FILE = 2_000_000
"""Larger files are not scanned."""


def python_files(code_dir: Path) -> Iterable[Path]:
    """The .py files of a code tree (caches and version control left out), sorted."""
    for path in sorted(code_dir.rglob("*.py")):
        rel = path.relative_to(code_dir).parts
        if not any(p in SKIP_DIRS for p in rel) and path.is_file():
            yield path


def _text(path: Path) -> str:
    try:
        if path.stat().st_size > _MAX_FILE:
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def find_needs(code_dir: Path, conda_env: str | None) -> Needs:
    """Requirement files present, GPUs (1 when the code uses CUDA), network for set-up (when
    the code downloads something) and the conda environment's name."""
    texts = [_text(p) for p in python_files(code_dir)]
    shell = [_text(p) for p in sorted(code_dir.rglob("*.sh")) if p.is_file()]
    return Needs(
        requirements=[f for f in REQUIREMENT_FILES if (code_dir / f).is_file()],
        conda_env=conda_env or None,
        gpus=1 if any(_GPU.search(t) for t in texts) else 0,
        setup_network=any(_NETWORK.search(t) for t in [*texts, *shell]),
    )


def entry_script(command: str) -> str | None:
    """The first `*.py` argument of a shell command (after any `cd`), or None."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        words = command.split()
    return next((w for w in words if w.endswith(".py")), None)


def prints_json(code_dir: Path, command: str, metrics: Iterable[str]) -> bool:
    """Whether the command looks like it prints its metrics as a JSON object: its entry script
    exists and uses `json`, and every metric name is a string literal somewhere in the code.
    False means the output is free-form and the metrics need extraction (regexes)."""
    script = entry_script(command)
    if script is None or not (code_dir / script).is_file():
        return False
    if "json" not in _text(code_dir / script):
        return False
    code = "\n".join(_text(p) for p in python_files(code_dir))
    return all(re.search(rf"""['"]{re.escape(m)}['"]""", code) for m in metrics)
