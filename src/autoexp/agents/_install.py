"""Installing a preset's tool into a cached environment outside any workspace.

`<agents dir>/<name>-<version>/` is a virtual environment (made with `uv` when it is available,
else `python -m venv` and pip) holding the preset's pinned requirements; `autoexp-preset.json`
in it, written last, marks a finished install of exactly those requirements. The sandbox mounts
the environment read-only for the attempts of that preset.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from autoexp.agents._cmdutil import fill
from autoexp.agents._presets import Preset
from autoexp.errors import AutoexpError, ConfigError

AGENTS_DIR_ENV = "AUTOEXP_AGENTS_DIR"
"""Where preset environments are installed (default: ~/.cache/autoexp/agents)."""
MARKER = "autoexp-preset.json"
"""In an environment: what was installed (written when the install has finished)."""


def agents_dir() -> Path:
    """`$AUTOEXP_AGENTS_DIR`, else `$XDG_CACHE_HOME/autoexp/agents` (~/.cache/autoexp/agents)."""
    explicit = os.environ.get(AGENTS_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser().absolute()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).absolute() / "autoexp" / "agents"


def tool_dir(preset: Preset) -> Path | None:
    """The preset's environment directory (None: it installs nothing)."""
    return agents_dir() / preset.install_name if preset.requirements else None


def executable(preset: Preset) -> str:
    """The tool's program: its path in the environment, or its name (found on PATH)."""
    env = tool_dir(preset)
    return str(env / "bin" / preset.executable) if env is not None else preset.executable


def _marker(preset: Preset) -> dict[str, object]:
    return {"name": preset.name, "version": preset.version, "requirements": preset.requirements}


def is_installed(preset: Preset) -> bool:
    """Whether the preset's environment holds a finished install of its requirements."""
    env = tool_dir(preset)
    if env is None:
        return True
    try:
        done = json.loads((env / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return done == _marker(preset) and os.access(executable(preset), os.X_OK)


def require_installed(preset: Preset) -> Path | None:
    """The environment of an installed preset; ConfigError saying how to install it if not."""
    if not is_installed(preset):
        raise ConfigError(
            f"agent {preset.name} is not installed (looked in {tool_dir(preset)}); run: "
            f"autoexp agents install {preset.name}"
        )
    return tool_dir(preset)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # parallel installs (test workers) wait for the first
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _uv() -> str | None:
    try:
        from uv import find_uv_bin  # the `uv` wheel

        return str(find_uv_bin())
    except Exception:
        return shutil.which("uv")


def _run(argv: list[str], log: Callable[[str], None], env: dict[str, str] | None = None) -> None:
    log("$ " + " ".join(argv))
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise AutoexpError(f"`{' '.join(argv)}` failed (exit {proc.returncode}):\n{tail}")


def install(
    preset: Preset, *, force: bool = False, log: Callable[[str], None] = lambda _: None
) -> Path | None:
    """Install the preset's requirements into its environment (nothing to do when it is
    installed already, unless `force`) and run its warm-up command. Returns the environment
    (None for a preset that installs nothing). Raises AutoexpError with the failing command's
    output."""
    env = tool_dir(preset)
    if env is None:
        return None
    with _locked(env.with_name(env.name + ".lock")):
        if is_installed(preset) and not force:
            log(f"{preset.name} {preset.version} is installed in {env}")
            return env
        shutil.rmtree(env, ignore_errors=True)  # a half-finished or outdated install
        _create(env, preset.requirements, log)
        if preset.warmup:
            _warm_up(env, preset, log)
        _make_readable(env)
        (env / MARKER).write_text(json.dumps(_marker(preset), indent=1), encoding="utf-8")
        log(f"installed {preset.name} {preset.version} in {env}")
        return env


def _create(env: Path, requirements: list[str], log: Callable[[str], None]) -> None:
    """A virtual environment of this Python at `env` holding `requirements` (uv, else pip)."""
    uv = _uv()
    python = str(env / "bin" / "python")
    if uv is not None:
        _run([uv, "venv", "--quiet", "--python", sys.executable, str(env)], log)
        _run([uv, "pip", "install", "--quiet", "--python", python, *requirements], log)
    else:
        _run([sys.executable, "-m", "venv", str(env)], log)
        _run([python, "-m", "pip", "install", "--quiet", *requirements], log)


def _warm_up(env: Path, preset: Preset, log: Callable[[str], None]) -> None:
    """Run the preset's warm-up command with the environment's bin/ first on PATH and a
    throw-away HOME (writing the byte code of what the tool imports, while env is writable)."""
    home = env / ".warmup-home"
    home.mkdir()
    values = {"home": str(home), "tool": str(env)}
    run_env = {
        **os.environ,
        "PATH": f"{env / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        **{k: fill(v, values) for k, v in preset.env.items()},
    }
    try:
        _run(["/bin/sh", "-c", preset.warmup or "true"], log, env=run_env)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _make_readable(env: Path) -> None:
    """Make every file readable (and directories and programs enterable) by anyone: the
    sandbox may run the tool as an unprivileged uid."""
    for path in (env, *env.rglob("*")):  # rglob does not descend into linked directories
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        wanted = mode | 0o444 | (0o111 if path.is_dir() or mode & 0o100 else 0)
        if wanted != mode:
            path.chmod(wanted)
