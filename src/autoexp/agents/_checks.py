"""Checks of command agents and presets made before any attempt starts.

- `check_host_env`: every `--agent-env` variable is set on the host (an unset one would be
  dropped silently and the agent fail later, looking like the agent's fault).
- `hide_answers`: a run directory (results.sqlite, run.json) or a task directory (task.yaml +
  code/) under a `--sandbox-ro` path, at any depth, is hidden from the agent (it could read the
  masked bodies and numbers there); a `--sandbox-ro` path inside one is refused. (autoexp's
  own install is hidden in the sandbox anyway.)
- `sandbox_preflight`: in a sandbox with the attempt's mounts and environment, the agent's
  program resolves and, with network, its model endpoint answers.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Iterable
from pathlib import Path

from autoexp.agents._cmdutil import log_tail, with_mounts
from autoexp.agents._command import CommandAgent
from autoexp.errors import ConfigError, EndpointError
from autoexp.protocols import Sandbox
from autoexp.sandbox._mounts import package_dirs
from autoexp.sandbox._types import Isolation, SandboxConfig

ENDPOINT_TIMEOUT_S = 10
"""Seconds the endpoint check waits for an answer from inside the sandbox."""
_SHELL_WORDS = {"exec", "env", "command", "time", "nice", "nohup", "timeout", "!", "{", "("}


def check_host_env(agent: str, names: Iterable[str]) -> None:
    """ConfigError naming the `--agent-env` variables that are not set on the host."""
    missing = [n for n in names if n not in os.environ]
    if missing:
        raise ConfigError(
            f"agent {agent}: --agent-env {', '.join(missing)}: not set in this environment "
            "(the agent would run without it); set it, or drop --agent-env"
        )


def _what(directory: Path, files: Iterable[str], dirs: Iterable[str]) -> str | None:
    """What `directory` is, given its files and subdirectories: a run or a task directory."""
    names = set(files)
    for marker in ("results.sqlite", "run.json"):
        if marker in names:
            return f"a run directory ({marker})"
    if "task.yaml" in names and "code" in set(dirs):
        return "a task directory (task.yaml and code/)"
    return None


def answer_dirs(root: Path, skip: Iterable[Path] = ()) -> list[tuple[Path, str]]:
    """Run directories and task directories that hold `root` or lie under it (itself included),
    without following symlinks and leaving out the trees in `skip`: (directory, what it is)."""
    skipped = [Path(os.path.realpath(p)) for p in skip]
    found: list[tuple[Path, str]] = []
    real = Path(os.path.realpath(root))
    if any(real.is_relative_to(s) for s in skipped):
        return found
    for parent in real.parents:  # inside a run or task directory: e.g. a task's code/
        try:
            entries = list(os.scandir(parent))
        except OSError:
            continue
        files = [e.name for e in entries if not e.is_dir(follow_symlinks=False)]
        what = _what(parent, files, [e.name for e in entries if e.is_dir(follow_symlinks=False)])
        if what is not None:
            found.append((parent, what))
    if not real.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(real):
        if Path(dirpath) in skipped:
            dirnames[:] = []
            continue
        what = _what(Path(dirpath), filenames, dirnames)
        if what is not None:
            found.append((Path(dirpath), what))
    return found


def hide_answers(config: SandboxConfig) -> tuple[SandboxConfig, list[str]]:
    """`config` with every run or task directory found under a `--sandbox-ro` path, at any
    depth, added to what the sandbox hides (an empty directory in its place), and a line per
    directory saying so. ConfigError when a `--sandbox-ro` path is itself one, or lies inside
    one (e.g. a task's code/): hiding it would hide the whole mount."""
    refused, hidden = [], []
    for root in config.extra_ro:
        real = Path(os.path.realpath(root))
        for where, what in answer_dirs(Path(root), skip=package_dirs()):
            if real.is_relative_to(where):
                refused.append(f"{root} is inside {where}, {what}" if where != real else
                               f"{root} is {what}")  # fmt: skip
            else:
                hidden.append((where, what))
    if refused:
        more = len(refused) - 5
        shown = "; ".join(refused[:5]) + (f"; and {more} more" if more > 0 else "")
        raise ConfigError(
            "--sandbox-ro would show the agent answers: " + shown + ". Mount a narrower path "
            "(the tool's own directory)"
        )
    known = {Path(os.path.realpath(h)) for h in config.hide}
    new = [where for where, _ in hidden if where not in known]
    notes = [f"--sandbox-ro: hiding {where}, {what}, from agents" for where, what in hidden]
    return config.model_copy(update={"hide": [*config.hide, *dict.fromkeys(new)]}), notes


def program_of(command: str) -> str | None:
    """The program a command line starts (its first word that is not an assignment or a
    wrapper like `env`), or None when the line is not that simple."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    for word in words:
        if "=" in word.split("/")[0] or word in _SHELL_WORDS or word.startswith("-"):
            continue
        if any(c in word for c in "$`;&|<>()"):
            return None
        return word
    return None


def _install_root(program: Path) -> Path:
    """What to mount for a program: its virtual environment (`<venv>/bin/x`), else its
    directory."""
    parent = Path(os.path.abspath(program)).parent
    if parent.name == "bin" and (parent.parent / "pyvenv.cfg").is_file():
        return parent.parent
    return parent


def _endpoint_probe(url: str) -> str:
    probe = (
        "import sys, urllib.request, urllib.error\n"
        "try:\n"
        f"    urllib.request.urlopen({url!r}, timeout={ENDPOINT_TIMEOUT_S})\n"
        "except urllib.error.HTTPError:\n"
        "    pass\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e); sys.exit(1)\n"
    )
    return f"python -c {shlex.quote(probe)}"


def sandbox_preflight(agent: CommandAgent, sandbox: Sandbox, workspace: Path, label: str) -> None:
    """Check in `sandbox` (with the agent's read-only tool mounted and its environment) that
    the agent's program resolves and, with network and a base URL, that the endpoint answers.
    Raises ConfigError (the program) or EndpointError (the endpoint) saying how to fix it."""
    if agent.options.tool_dir is not None:
        sandbox = with_mounts(sandbox, ro=[agent.options.tool_dir])
    inner = "/workspace" if sandbox.isolation == Isolation.BUBBLEWRAP else str(workspace)
    env = agent.environment(inner)
    program = program_of(agent.command_line(inner))
    if program is not None:
        res = sandbox.run(f"command -v -- {shlex.quote(program)}", workspace, timeout_s=60, env=env)
        if res.exit_code != 0:
            host = shutil.which(program)
            hint = (
                f"it is on the host at {host}: add --sandbox-ro {_install_root(Path(host))}"
                if host
                else "system directories and autoexp's Python are visible; a program "
                "installed elsewhere needs --sandbox-ro DIR (or use a preset: autoexp agents list)"
            )
            raise ConfigError(
                f"agent {label}: its program {program!r} is not found inside the sandbox; {hint}"
            )
    if agent.base_url and not agent.options.network:
        uses = "{base_url}" in agent.options.cmd or agent.options.tool_dir is not None
        if uses:
            raise ConfigError(
                f"agent {label}: it is given --base-url {agent.base_url} but no network; "
                "add --agent-network"
            )
    if agent.base_url and agent.options.network:
        url = agent.base_url.rstrip("/") + "/models"
        res = sandbox.run(
            _endpoint_probe(url),
            workspace,
            timeout_s=ENDPOINT_TIMEOUT_S + 30,
            env=env,
            network=True,
        )
        if res.exit_code != 0:
            raise EndpointError(
                f"agent {label}: the model endpoint {agent.base_url} does not answer from inside "
                f"the sandbox: {log_tail(res.stdout + res.stderr, 3) or 'no answer'}"
            )
