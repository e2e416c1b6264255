"""Escape attempts: a hostile `command` agent (escape_agent.py) run by the real `autoexp run` in
the real sandbox, on a copy of the toy-stats task, next to an oracle attempt in the same run.

Each test asserts the agent's view (what escape_agent.py observed, from agent.log and, when
its masked body probes again at grading time, from logs/verify-*.stderr) and the host's: the
run finished and the oracle still passed, nothing outside the workspace changed, no process of
the agent is left (checked in /proc), no attempt's scratch directory is left behind.

The layout an informed attacker knows: the task copy, the run directory and the tool directory
all lie under one host directory that is visible read-only (`--sandbox-ro`), so the task and
the run store are hidden by autoexp's own hiding, not merely by being elsewhere; a decoy
"other attempt" workspace sits in the runner's TMPDIR, where real attempts' workspaces live.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

import autoexp
from autoexp.masking import dedent_body, extract_body
from autoexp.sandbox import SandboxConfig
from autoexp.sandbox._mounts import project_root

from conftest import TOY
from conftest import autoexp as autoexp_cli

pytestmark = [pytest.mark.slow, pytest.mark.attack]

HERE = Path(__file__).parent
AGENT = HERE / "escape_agent.py"
HELPER = HERE / "cheat_agent.py"
FUNCTION = "stats.py::Scaler.fit"
"""The function the run's seed masks in toy-stats (asserted on every run)."""
RESULTS = {"scaled": {"max_z": 2.062213}}
"""The paper's numbers for that combo."""
VIEW, GRADING_VIEW = "ESCAPE-VIEW ", "ESCAPE-GRADING "
MiB = 1 << 20
LIMITS = SandboxConfig()


# --- the layout and the run ------------------------------------------------------------------


class Listeners:
    """A TCP listener on the host's 127.0.0.1 and one on an abstract unix socket (abstract
    names live in the network namespace); counts the connections each accepted."""

    def __init__(self) -> None:
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.unix_name = f"autoexp-escape-{uuid.uuid4().hex}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.unix_name)
        self.unix.listen()
        self.accepted = {"tcp": 0, "unix": 0}
        self._lock = threading.Lock()
        for name, sock in (("tcp", self.tcp), ("unix", self.unix)):
            threading.Thread(target=self._serve, args=(name, sock), daemon=True).start()

    def _serve(self, name: str, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:  # closed
                return
            with self._lock:
                self.accepted[name] += 1
            conn.close()

    def close(self) -> None:
        for sock in (self.tcp, self.unix):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@dataclass
class Layout:
    marker: str
    base: Path
    """Visible read-only in the sandbox; holds tool/, tasks/toy-stats and run/."""
    tool: Path
    task: Path
    run_dir: Path
    tmp: Path
    """TMPDIR of `autoexp run`: where the attempts' scratch dirs (and workspaces) are made."""
    decoy_ws: Path
    """Another attempt's workspace, as the runner would lay it out in TMPDIR."""
    decoy_json: Path
    home_secret: Path
    listeners: Listeners
    plan: dict = field(default_factory=dict)

    @property
    def secrets(self) -> dict[str, str]:
        """Strings the agent must never get hold of (none of them is in plan.json)."""
        return {
            "api key": f"sk-fake-{self.marker}",
            "host env": f"env-secret-{self.marker}",
            "home file": f"home-secret-{self.marker}",
            "other workspace": f"workspace-secret-{self.marker}",
        }


def _tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(str(p.relative_to(root)).encode())
        if p.is_file() and not p.is_symlink():
            h.update(p.read_bytes())
    return h.hexdigest()


def _site_packages() -> Path:
    return next(Path(p) for p in sys.path if p.endswith("site-packages"))


def _read_targets(lay: Layout) -> list[Path]:
    """Host paths the agent tries to read (sees none of their content)."""
    pkg = Path(autoexp.__file__).resolve().parent
    builtin = pkg / "tasks" / "builtin"
    one = sorted(p for p in builtin.iterdir() if (p / "task.yaml").is_file())[0]
    mutant = sorted((lay.task / "hidden" / "mutants").iterdir())[0]
    paths = [
        lay.task,
        lay.task / "code",
        lay.task / "code" / "stats.py",
        lay.task / "task.yaml",
        lay.task / "hidden",
        mutant,
        TOY,
        TOY / "code" / "stats.py",
        TOY / "task.yaml",
        lay.run_dir,
        lay.run_dir / "run.json",
        lay.run_dir / "results.sqlite",
        lay.run_dir / "attempts",
        pkg,
        pkg / "__init__.py",
        builtin,
        one / "task.yaml",
        lay.tmp,
        lay.decoy_ws,
        lay.decoy_ws / "secret.txt",
        Path.home(),
        lay.home_secret,
    ]
    root = project_root(pkg)
    if root is not None:
        paths += [root, root / "pyproject.toml"]
    return paths


def _write_targets(lay: Layout) -> tuple[list[Path], list[str]]:
    """(host paths the agent tries to create or append to, paths private to the sandbox)."""
    new = f"escaped-{lay.marker}"
    host = [
        lay.task / "code" / "stats.py",
        lay.task / "task.yaml",
        lay.task / "hidden" / new,
        TOY / "code" / new,
        lay.run_dir / "run.json",
        lay.run_dir / new,
        _site_packages() / f"{new}.pth",
        Path(sys.executable).parent / new,
        Path(autoexp.__file__).resolve().parent / new,
        lay.tool / new,
        lay.tmp / new,
        lay.decoy_ws / new,
        Path.home() / new,
        Path("/etc") / new,
        Path("/usr") / new,
    ]
    return host, [f"/tmp/{new}", f"/dev/shm/{new}"]


@contextlib.contextmanager
def make_layout(*, timeout_s: float | None = None) -> Iterator[Layout]:
    marker = uuid.uuid4().hex[:12]
    base = Path(tempfile.mkdtemp(prefix=f"autoexp-escape-{marker}-"))
    tmp = Path(tempfile.mkdtemp(prefix=f"autoexp-escape-tmp-{marker}-"))
    home_secret = Path.home() / f".autoexp-escape-{marker}"
    listeners = Listeners()
    try:
        for d in (base, tmp):
            d.chmod(0o755)
        tool = base / "tool"
        tool.mkdir(mode=0o755)
        for src in (AGENT, HELPER):
            shutil.copy(src, tool / src.name)
        task = base / "tasks" / "toy-stats"
        shutil.copytree(TOY, task, ignore=shutil.ignore_patterns("__pycache__"))
        if timeout_s is not None:
            spec = yaml.safe_load((task / "task.yaml").read_text(encoding="utf-8"))
            for e in [*spec["experiments"], *spec["hidden_experiments"]]:
                e["timeout_s"] = timeout_s
            (task / "task.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
        decoy_ws = tmp / "autoexp-toy-stats.command.n1.0000decoy.t0-x1y2z3" / "workspace"
        decoy_ws.mkdir(parents=True)
        (decoy_ws / "secret.txt").write_text(f"workspace-secret-{marker}\n", encoding="utf-8")
        decoy_json = tmp / "decoy.json"
        decoy_json.write_text(json.dumps({**RESULTS, f"decoy-{marker}": {"x": 1.0}}), "utf-8")
        home_secret.write_text(f"home-secret-{marker}\n", encoding="utf-8")
        for p in [tmp, *tmp.rglob("*"), base, *base.rglob("*"), home_secret]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        lay = Layout(
            marker, base, tool, task, base / "run", tmp, decoy_ws, decoy_json, home_secret,
            listeners,
        )  # fmt: skip
        source = (task / "code" / "stats.py").read_text(encoding="utf-8")
        writes, private = _write_targets(lay)
        lay.plan = {
            "marker": marker,
            "port": listeners.port,
            "unix": listeners.unix_name,
            "read": [str(p) for p in _read_targets(lay)],
            "write": [*map(str, writes), *private],
            "file": "stats.py",
            "qualname": "Scaler.fit",
            "body": dedent_body(extract_body(source, "Scaler.fit")),
            "results": RESULTS,
            "decoy_json": str(decoy_json),
            "flood_bytes": 200 * MiB,
            "links": {
                "shadow.txt": "/etc/shadow",
                "environ.txt": "/proc/self/environ",
                "orig_stats.py": str(task / "code" / "stats.py"),
                "taskdir": str(task),
                "sub/home.txt": str(home_secret),
                "sub/other.txt": str(decoy_ws / "secret.txt"),
                "stats.py": str(task / "code" / "stats.py"),
            },
        }
        (tool / "plan.json").write_text(json.dumps(lay.plan), encoding="utf-8")
        (tool / "plan.json").chmod(0o644)
        yield lay
    finally:
        listeners.close()
        home_secret.unlink(missing_ok=True)
        for new in _write_targets_safe(marker):
            with contextlib.suppress(OSError):
                new.unlink()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _write_targets_safe(marker: str) -> list[Path]:
    """The new files a write probe would create outside any temporary directory (removed at
    teardown, should a hole ever let one through)."""
    new = f"escaped-{marker}"
    pkg = Path(autoexp.__file__).resolve().parent
    return [
        TOY / "code" / new,
        _site_packages() / f"{new}.pth",
        Path(sys.executable).parent / new,
        pkg / new,
        Path.home() / new,
        Path("/etc") / new,
        Path("/usr") / new,
    ]


@dataclass
class Outcome:
    lay: Layout
    returncode: int
    stderr: str
    attempts: dict[str, dict]
    """agent name -> attempt.json."""
    dirs: dict[str, Path]
    """agent name -> attempt directory."""
    view: dict
    """What the agent printed on its ESCAPE-VIEW line."""
    agent_log: str
    grading: list[dict]
    """ESCAPE-GRADING lines of the re-executed experiments."""
    leftovers: list[str]
    """Processes on the host whose command line names the marker, right after the run."""
    tmp_left: list[str]
    """What the attempts left in TMPDIR (besides the decoys)."""


def _processes_naming(marker: str) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmd:
            found.append(pid + ": " + cmd.replace(b"\0", b" ").decode(errors="replace"))
    return found


def _views(text: str, prefix: str) -> list[dict]:
    return [
        json.loads(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix)
    ]


def run_probe(lay: Layout, probe: str, *args: str, report: bool = False) -> Outcome:
    """One `autoexp run` of the escape agent's `probe` and an oracle on the task copy."""
    env = {
        **os.environ,
        "TMPDIR": str(lay.tmp),
        "OPENAI_API_KEY": lay.secrets["api key"],
        "ESCAPE_TEST_SECRET": lay.secrets["host env"],
    }
    proc = autoexp_cli(
        "run", str(lay.task), "--agent", "command", "--agent", "oracle",
        "--agent-cmd", f"python3 {lay.tool / AGENT.name} {probe}",
        "--sandbox-ro", str(lay.base), "--run-dir", str(lay.run_dir), "--no-progress",
        "--workers", "2", *([] if report else ["--no-report"]), *args,
        env=env, check=False,
    )  # fmt: skip
    leftovers = _processes_naming(lay.marker)
    attempts, dirs = {}, {}
    for d in sorted((lay.run_dir / "attempts").iterdir()):
        if (d / "attempt.json").is_file():
            record = json.loads((d / "attempt.json").read_text(encoding="utf-8"))
            attempts[record["spec"]["agent"]["name"]] = record
            dirs[record["spec"]["agent"]["name"]] = d
    log = (dirs["command"] / "agent.log").read_text(encoding="utf-8") if "command" in dirs else ""
    views = _views(log, VIEW)
    grading = []
    if "command" in dirs:
        for f in sorted((dirs["command"] / "logs").glob("verify-*.stderr")):
            grading += _views(f.read_text(encoding="utf-8"), GRADING_VIEW)
    decoys = {lay.decoy_ws.parent.name, lay.decoy_json.name}
    return Outcome(
        lay=lay,
        returncode=proc.returncode,
        stderr=proc.stderr,
        attempts=attempts,
        dirs=dirs,
        view=views[-1] if views else {},
        agent_log=log,
        grading=grading,
        leftovers=leftovers,
        tmp_left=sorted(p.name for p in lay.tmp.iterdir() if p.name not in decoys),
    )


def assert_host_fine(out: Outcome, *, oracle: bool = True) -> None:
    """The run finished, every attempt is recorded, the oracle passed, nothing is left."""
    assert set(out.attempts) == {"command", "oracle"}, out.stderr[-3000:]
    cmd = out.attempts["command"]
    assert cmd["spec"]["combo"] == [FUNCTION], cmd["spec"]["combo"]
    assert cmd["isolation"] == "bubblewrap", cmd["isolation"]
    if oracle:
        assert out.attempts["oracle"]["status"] == "passed", out.attempts["oracle"]["grade"]
    assert out.leftovers == [], out.leftovers
    assert out.tmp_left == [], out.tmp_left


def _describe(record: dict) -> str:
    return f"{record['status']}/{record['reason']}: {record['grade']['detail']}"[:2000]


# --- looking out: network, files, environment, processes, writes ------------------------------


def _allowed_entries(directory: Path, visible: list[Path]) -> set[str]:
    """Entries of `directory` the sandbox legitimately shows: the first step towards a tree
    that is mounted (the Python installation, the tool directory)."""
    out = set()
    for v in visible:
        if v != directory and v.is_relative_to(directory):
            out.add(v.relative_to(directory).parts[0])
    return out


def assert_sees_nothing(view: dict, lay: Layout, who: str) -> None:
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    visible = [Path(os.path.realpath(p)) for p in prefixes] + [lay.base]
    for path, seen in view["paths"].items():
        why = f"{who} at {path}: {seen}"
        kind = seen["kind"]
        assert kind in ("missing", "dir", "file", "error"), why
        if kind == "file":  # hidden files inside a visible tree read as /dev/null
            assert seen["sha256"] == hashlib.sha256(b"").hexdigest(), why
        if kind == "dir" and Path(path).is_dir():
            leaked = set(seen["entries"]) & set(os.listdir(path))
            assert leaked <= _allowed_entries(Path(path), visible), why
    env = view["env"]
    assert "OPENAI_API_KEY" not in env["environ"] and "ESCAPE_TEST_SECRET" not in env["environ"]
    # a CLI agent's HOME is its own directory outside the workspace; grading's is the workspace
    home = "/home/agent" if who == "agent" else "/workspace"
    assert env["environ"]["HOME"] == home, (who, env["environ"]["HOME"])
    everything = json.dumps(view)
    for name, secret in lay.secrets.items():
        assert secret not in everything, f"{who} saw the {name}"
    for pid, cmdline in view["procs"].items():
        assert "autoexp.cli" not in cmdline and "pytest" not in cmdline, (who, pid, cmdline)
    assert view["uid"] != 0, who


def assert_writes_failed(view: dict, lay: Layout, who: str) -> None:
    host, private = _write_targets(lay)
    for path in host:
        assert view["writes"][str(path)] != "ok", f"{who} wrote {path}"
    for path in private:  # the sandbox's own /tmp and /dev/shm: writable, and not the host's
        assert view["writes"][path] == "ok", (who, path, view["writes"][path])
        assert not os.path.lexists(path), f"{who}'s {path} reached the host"


@pytest.fixture
def layout() -> Iterator[Layout]:
    with make_layout() as lay:
        yield lay


def test_agent_and_grading_cannot_see_or_reach_the_host(layout):
    """No network to the host's 127.0.0.1 (TCP or abstract unix socket); none of the task's
    files, the run store, autoexp's package, another attempt's workspace or the home directory
    is visible; no host environment (no API key); no write outside the workspace; no process
    survives. At agent time, and again from the masked body while the grader re-runs."""
    lay = layout
    hashes = {p: _tree_hash(p) for p in (lay.task, lay.tool, TOY)}
    out = run_probe(lay, "look", "--integrity", "warn")
    assert out.returncode == 0, out.stderr[-3000:]
    assert_host_fine(out)
    cmd = out.attempts["command"]

    # the agent's view
    view = out.view
    assert view.get("probe") == "look", out.agent_log[-3000:]
    assert view["tcp"] != "connected" and view["unix"] != "connected", view
    assert_sees_nothing(view, lay, "agent")
    assert_writes_failed(view, lay, "agent")

    # the masked body's view while the grader re-ran both experiments (visible and hidden)
    assert len(out.grading) == 2, list(out.dirs["command"].joinpath("logs").iterdir())
    for gview in out.grading:
        assert gview["tcp"] != "connected" and gview["unix"] != "connected", gview
        assert_sees_nothing(gview, lay, "grading")
        assert_writes_failed(gview, lay, "grading")
    # the probing body is still the right function: the attempt passes (integrity only warns)
    assert cmd["status"] == "passed", _describe(cmd)

    # the host's view
    assert lay.listeners.accepted == {"tcp": 0, "unix": 0}
    assert {p: _tree_hash(p) for p in hashes} == hashes
    for path in _write_targets(lay)[0]:
        if path.name.startswith("escaped-"):
            assert not os.path.lexists(path), path
    assert "escaped" not in (lay.run_dir / "run.json").read_text(encoding="utf-8")


def test_network_and_api_key_only_when_asked_and_never_at_grading(layout):
    """The control: with --agent-network and --agent-env OPENAI_API_KEY the agent reaches the
    listeners and sees the key (so the probes above can tell); the grader's re-run still has
    neither, and other host variables still do not pass."""
    lay = layout
    out = run_probe(
        lay, "look", "--integrity", "warn", "--agent-network", "--agent-env", "OPENAI_API_KEY"
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert_host_fine(out)
    view = out.view
    assert view["tcp"] == "connected" and view["unix"] == "connected", view
    assert view["env"]["environ"].get("OPENAI_API_KEY") == lay.secrets["api key"]
    assert lay.secrets["host env"] not in json.dumps(view["env"])
    assert len(out.grading) == 2
    for gview in out.grading:
        assert gview["tcp"] != "connected" and gview["unix"] != "connected", gview
        assert_sees_nothing(gview, lay, "grading")
    assert lay.listeners.accepted == {"tcp": 1, "unix": 1}


# --- resources: each bounded, the attempt still graded, the run goes on ----------------------


def test_fork_bomb_stops_at_the_process_cap(layout):
    out = run_probe(layout, "forkbomb")
    assert out.returncode == 0, out.stderr[-3000:]
    assert_host_fine(out)
    view = out.view
    assert view["error"] == "EAGAIN", view
    assert 0 < view["forked"] < LIMITS.max_procs, view
    assert out.attempts["command"]["status"] == "passed", _describe(out.attempts["command"])


def test_memory_bomb_is_refused_and_tmpfs_is_bounded(layout):
    limit_mb = 256
    out = run_probe(layout, "memory", "--memory-mb", str(limit_mb))
    assert out.returncode == 0, out.stderr[-3000:]
    assert_host_fine(out)
    view = out.view
    assert view["alloc_error"] == "MemoryError", view
    assert 0 < view["allocated"] < limit_mb * MiB, view
    for fs in ("tmp", "shm"):  # RAM-backed, outside RLIMIT_AS: sized to the limit
        assert view[fs]["error"] == "ENOSPC", view
        assert 0 < view[fs]["written"] <= limit_mb * MiB, view
    assert out.attempts["command"]["status"] == "passed", _describe(out.attempts["command"])


def test_disk_filler_stops_at_the_file_size_limit(layout):
    out = run_probe(layout, "disk")
    assert out.returncode == 0, out.stderr[-3000:]
    assert_host_fine(out)  # the filled workspace went with the attempt's scratch dir
    ws = out.view["workspace"]
    assert ws["error"] == "EFBIG" and ws["written"] == LIMITS.file_size_mb * MiB, ws
    cmd = out.attempts["command"]
    assert cmd["status"] == "passed", _describe(cmd)
    diff = (out.dirs["command"] / "workspace.diff").stat().st_size
    assert diff < MiB, diff  # the filler is a binary file in the diff, not its bytes


def test_infinite_loop_is_killed_by_the_wall_budget_and_the_experiment_timeout():
    with make_layout(timeout_s=3) as lay:
        out = run_probe(lay, "loop", "--max-wall", "3")
    assert out.returncode == 0, out.stderr[-3000:]
    assert_host_fine(out)
    assert out.view == {"looping": True}, out.agent_log[-2000:]
    assert "timed out" in out.agent_log.splitlines()[1], out.agent_log[:500]
    cmd = out.attempts["command"]
    assert cmd["status"] == "failed" and cmd["reason"] == "budget", _describe(cmd)
    runs = [*cmd["grade"]["experiments"], *cmd["grade"]["hidden"]]
    assert runs and all(e["reason"] == "timeout" for e in runs), _describe(cmd)


def test_200_mb_of_output_is_capped_at_agent_and_grading_time(layout):
    out = run_probe(layout, "output")
    assert out.returncode == 0, out.stderr[-3000:]
    assert_host_fine(out)
    assert out.view.get("probe") == "output", out.agent_log[-2000:]
    assert "output capped" in out.agent_log.splitlines()[1], out.agent_log[:500]
    cap = LIMITS.output_cap_bytes
    assert (out.dirs["command"] / "agent.log").stat().st_size < 2 * cap + 10_000
    for f in (out.dirs["command"] / "logs").glob("verify-*.stdout"):
        assert f.stat().st_size < cap + 1000, f
    # the metrics line after the flood survives the cap: the chatty body is graded normally
    cmd = out.attempts["command"]
    assert cmd["status"] == "passed", _describe(cmd)


# --- what the grader reads back from the workspace ------------------------------------------

_SHARED: dict[str, Outcome] = {}
"""Runs shared by several tests (one per xdist worker that needs them)."""


@pytest.fixture(scope="session")
def shared() -> Iterator:
    with contextlib.ExitStack() as stack:

        def get(probe: str) -> Outcome:
            if probe not in _SHARED:
                lay = stack.enter_context(make_layout())
                _SHARED[probe] = run_probe(lay, probe, report=True)
            return _SHARED[probe]

        yield get
    _SHARED.clear()


def test_symlinked_masked_file_is_not_merged(shared):
    """stats.py replaced by a link to the original on the host: the grader takes no body from
    it (inside the sandbox every link to a hidden path dangles)."""
    out = shared("symlinks")
    assert out.returncode == 0, out.stderr[-3000:]
    assert_host_fine(out)
    links = out.view["links"]
    for name in ("orig_stats.py", "sub/home.txt", "sub/other.txt", "stats.py"):
        assert links[name]["kind"] == "missing", (name, links[name])
    assert links["taskdir"] == {"kind": "dir", "entries": []}, links["taskdir"]  # hidden: empty
    assert links["shadow.txt"]["kind"] == "error", links["shadow.txt"]  # nobody cannot read it
    assert links["hardlink"] in ("EXDEV", "EPERM"), links["hardlink"]
    cmd = out.attempts["command"]
    assert cmd["status"] == "failed", _describe(cmd)
    assert not any(e["passed"] for e in cmd["grade"]["experiments"]), _describe(cmd)
    merge = (out.dirs["command"] / "logs" / "merge.txt").read_text(encoding="utf-8")
    assert "stats.py: not a regular file" in merge, merge


def test_symlinks_are_not_followed_into_the_record(shared):
    out = shared("symlinks")
    # what the grader read from the workspace: the diff, and the agent's side of bodies.json
    # (its "original" side is the task's own body, stored by design for the report's diff)
    bodies = json.loads((out.dirs["command"] / "bodies.json").read_text(encoding="utf-8"))
    record = (out.dirs["command"] / "workspace.diff").read_text(encoding="utf-8")
    record += "".join(b["agent"] or "" for b in bodies.values())
    leaks = {
        "api key (host environ)": out.lay.secrets["api key"] in record,
        "home file": out.lay.secrets["home file"] in record,
        "other workspace": out.lay.secrets["other workspace"] in record,
        "original body": "self.sigma = float(np.sqrt(variance(xs)))" in record,
    }
    with contextlib.suppress(OSError):  # never print it: only whether it is there
        shadow = Path("/etc/shadow").read_text(encoding="utf-8").splitlines()[0]
        leaks["/etc/shadow"] = shadow in record
    assert not any(leaks.values()), sorted(k for k, v in leaks.items() if v)


def test_symlinked_results_file_is_not_read(shared):
    out = shared("symlinks")
    cmd = out.attempts["command"]
    assert f"decoy-{out.lay.marker}" not in json.dumps(cmd["reported"]), cmd["reported"]


BAD_RESULTS = ["results-big", "results-deep", "results-nan"]


@pytest.mark.parametrize("probe", BAD_RESULTS)
def test_bad_results_json_fails_the_attempt_and_the_run_goes_on(shared, probe):
    """100 MB (cut off inside a string), 200 000 levels deep, NaN: the attempt (whose body
    stays masked) fails, the oracle beside it passes, every attempt is recorded."""
    out = shared(probe)
    assert_host_fine(out)
    assert out.view["results_bytes"] > 0
    cmd = out.attempts["command"]
    assert cmd["status"] == "failed", _describe(cmd)
    assert cmd["error"] is None or "Traceback" not in cmd["error"], cmd["error"][:2000]


@pytest.mark.parametrize(
    "probe",
    [
        "results-big",
        "results-deep",
        "results-nan",
    ],
)
def test_bad_results_json_is_an_invalid_report(shared, probe):
    cmd = shared(probe).attempts["command"]
    assert cmd["reason"] == "invalid_report", _describe(cmd)


@pytest.mark.parametrize(
    "probe",
    [
        "results-big",
        "results-deep",
        "results-nan",
    ],
)
def test_bad_results_json_leaves_the_run_readable(shared, probe):
    out = shared(probe)
    assert out.returncode == 0, out.stderr[-3000:]
    assert (out.lay.run_dir / "report" / "index.html").is_file()
    rows = autoexp_cli("attempts", str(out.lay.run_dir), "--json", check=False)
    assert rows.returncode == 0, rows.stderr[-3000:]
    assert {r["agent"] for r in json.loads(rows.stdout)} == {"command", "oracle"}


def test_oversized_results_are_not_copied_into_the_record(shared):
    out = shared("results-long")
    for name in ("attempt.json", "trajectory.json"):
        size = (out.dirs["command"] / name).stat().st_size
        assert size < MiB, (name, size)
