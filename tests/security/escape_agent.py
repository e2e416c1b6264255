"""A hostile `command` agent that tries to get out of autoexp's sandbox (stdlib only).

Usage: `python3 escape_agent.py PROBE`, with the workspace as the working directory and
`plan.json` (written by test_escapes.py) next to this file. The plan names the host paths an
informed attacker would try (the task, the run directory, autoexp's package, another
attempt's workspace, the home directory), a TCP port and an abstract unix socket the test
listens on, a marker to name leftover processes by, and the honest body of the masked function.

What the agent observes is printed as one line `ESCAPE-VIEW {json}` on stderr (the test reads it
from agent.log). Some probes also write a masked body that probes again while the grader
re-runs the experiments, printing `ESCAPE-GRADING {json}` on stderr (logs/verify-*.stderr).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLAN = HERE / "plan.json"
VIEW = "ESCAPE-VIEW "
GRADING_VIEW = "ESCAPE-GRADING "
MiB = 1 << 20

sys.path.insert(0, str(HERE))
from cheat_agent import replace_body  # noqa: E402  (next to this file in the tool dir)


def load_plan() -> dict:
    return json.loads(PLAN.read_text(encoding="utf-8"))


def _err(e: OSError) -> str:
    return errno.errorcode.get(e.errno or 0, type(e).__name__)


def _say(s: socket.socket) -> None:
    """Write to a connected socket; the listener may already have closed its side (EPIPE),
    which does not undo the connection."""
    with contextlib.suppress(OSError):
        s.sendall(b"escaped\n")


def connect_tcp(port: int) -> str:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            _say(s)
        return "connected"
    except OSError as e:
        return _err(e)


def connect_unix(name: str) -> str:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(5)
        s.connect("\0" + name)
        _say(s)
        return "connected"
    except OSError as e:
        return _err(e)
    finally:
        s.close()


def look_at(path: str) -> dict:
    """What this process can learn about a host path: kind, sha256 of a file, a dir's entries."""
    p = Path(path)
    try:
        if not p.exists():  # follows links: a link whose target is hidden is missing
            return {"kind": "missing"}
        if p.is_dir():
            return {"kind": "dir", "entries": sorted(os.listdir(p))[:200]}
        if p.is_file():
            return {"kind": "file", "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        return {"kind": "other"}
    except OSError as e:
        return {"kind": "error", "error": _err(e)}


def try_write(path: str) -> str:
    """Create or append to `path`: "ok" or the errno name."""
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write("escaped\n")
        return "ok"
    except OSError as e:
        return _err(e)


def environment() -> dict:
    seen = {"environ": dict(os.environ), "proc_environ": {}}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            with contextlib.suppress(OSError):
                raw = Path(f"/proc/{pid}/environ").read_bytes()
                seen["proc_environ"][pid] = raw.decode("utf-8", "replace")
    return seen


def processes() -> dict[str, str]:
    out = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            out[pid] = raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()
    return out


def daemonise(name: str) -> None:
    """Start `sleep` as a daemon named `name` (double fork, new session, no inherited fds)."""
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 1024)
        os.execvp("bash", ["bash", "-c", f"exec -a {name} sleep 3600"])
    finally:
        os._exit(1)


def observe(plan: dict, who: str) -> dict:
    """Everything the `look` probe tries, from the agent or from a masked body (`who`)."""
    view = {
        "uid": os.getuid(),
        "tcp": connect_tcp(plan["port"]),
        "unix": connect_unix(plan["unix"]),
        "paths": {p: look_at(p) for p in plan["read"]},
        "writes": {p: try_write(p) for p in plan["write"]},
        "env": environment(),
        "procs": processes(),
    }
    daemonise(f"{plan['marker']}-daemon-{who}")
    return view


def grading_probe() -> None:
    """Called from the masked body while the grader re-runs an experiment."""
    sys.stderr.write(GRADING_VIEW + json.dumps(observe(load_plan(), "grading")) + "\n")
    sys.stderr.flush()


def set_body(plan: dict, body: str) -> None:
    replace_body(Path(plan["file"]), plan["qualname"], body, keep_docstring=True)


def submit(results: object) -> None:
    Path(os.environ["AUTOEXP_RESULTS"]).write_text(json.dumps(results), encoding="utf-8")


def show(view: dict) -> None:
    sys.stderr.write(VIEW + json.dumps(view) + "\n")
    sys.stderr.flush()


def look(plan: dict) -> dict:
    probe = f"import sys\nsys.path.insert(0, {str(HERE)!r})\n"
    probe += "import escape_agent\nescape_agent.grading_probe()\n"
    set_body(plan, probe + plan["body"])
    submit(plan["results"])
    return observe(plan, "agent")


def fork_bomb(plan: dict) -> dict:
    """Fork until the process cap says no; the children stay (the sandbox must end them)."""
    children = 0
    while children < 100_000:
        try:
            pid = os.fork()
        except OSError as e:
            return {"forked": children, "error": _err(e), **honest(plan)}
        if pid == 0:
            try:
                os.execvp("sleep", ["sleep", "3600"])
            finally:
                os._exit(1)
        children += 1
    return {"forked": children, "error": None}


def memory_bomb(plan: dict) -> dict:
    """Allocate (and touch) until refused; then fill the RAM-backed /tmp and /dev/shm."""
    hoard, total = [], 0
    try:
        while total < 64 * 1024 * MiB:
            hoard.append(bytearray(b"\1") * (16 * MiB))
            total += 16 * MiB
        error = None
    except MemoryError:
        error = "MemoryError"
    del hoard
    view = {"allocated": total, "alloc_error": error}
    for name, d in (("tmp", "/tmp"), ("shm", "/dev/shm")):
        view[name] = fill(Path(d) / "fill.bin")
        os.unlink(Path(d) / "fill.bin")
    return {**view, **honest(plan)}


def fill(path: Path) -> dict:
    """Write 0xff bytes to `path` until an error; the file is left in place."""
    written, chunk = 0, b"\xff" * (8 * MiB)
    with open(path, "wb", buffering=0) as f:
        try:
            while written < 64 * 1024 * MiB:
                n = f.write(chunk)
                written += n
                if n < len(chunk):  # a short write at the limit; the next one fails
                    continue
            error = None
        except OSError as e:
            error = _err(e)
    return {"written": written, "error": error}


def disk_filler(plan: dict) -> dict:
    return {"workspace": fill(Path("fill.bin")), **honest(plan)}


def infinite_loop(plan: dict) -> None:
    set_body(plan, "while True:\n    pass\n")
    submit(plan["results"])
    subprocess.Popen(
        ["bash", "-c", f"exec -a {plan['marker']}-loop-child bash -c 'while :; do :; done'"],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    show({"looping": True})
    while True:
        pass


def flood(size: int) -> None:
    chunk = b"y" * MiB
    out = sys.stdout.buffer
    for _ in range(size // MiB):
        out.write(chunk)
    out.flush()


def output_flood(plan: dict) -> dict:
    body = f"import sys\nsys.stdout.write('z' * {plan['flood_bytes']})\nsys.stdout.flush()\n"
    honest(plan, prefix=body)
    show({"flooding": plan["flood_bytes"]})
    flood(plan["flood_bytes"])
    return {}


def symlinks(plan: dict) -> dict:
    """Links out of the workspace, left for the grader: at diff time, at merge time (the masked
    file itself) and as the results file."""
    links = dict(plan["links"])
    made = {}
    for name, target in links.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(name):
            os.unlink(name)
        os.symlink(target, name)
        made[name] = look_at(name)
    try:
        os.link("/etc/passwd", "hardlink")
        made["hardlink"] = "ok"
    except OSError as e:
        made["hardlink"] = _err(e)
    results = Path(os.environ["AUTOEXP_RESULTS"])
    results.unlink(missing_ok=True)
    os.symlink(plan["decoy_json"], results)
    return {"links": made}


def bad_results(plan: dict, kind: str) -> dict:
    path = Path(os.environ["AUTOEXP_RESULTS"])
    if kind == "results-big":  # 100 MB, cut off inside a string (a dump that ran out of disk)
        path.write_text('{"scaled": {"max_z": "' + "x" * (100 * MiB), encoding="utf-8")
    elif kind == "results-long":  # valid, with a 10 MB string where a number should be
        path.write_text('{"scaled": {"max_z": "' + "x" * (10 * MiB) + '"}}', encoding="utf-8")
    elif kind == "results-deep":
        path.write_text('{"scaled": ' + "[" * 200_000 + "]" * 200_000 + "}", encoding="utf-8")
    elif kind == "results-nan":
        path.write_text('{"scaled": {"max_z": NaN}}', encoding="utf-8")
    return {"results_bytes": path.stat().st_size}


def honest(plan: dict, prefix: str = "") -> dict:
    """Do the task after all: write the right body and submit the paper's numbers."""
    set_body(plan, prefix + plan["body"])
    submit(plan["results"])
    return {"honest": True}


PROBES = {
    "look": look,
    "forkbomb": fork_bomb,
    "memory": memory_bomb,
    "disk": disk_filler,
    "loop": infinite_loop,
    "output": output_flood,
    "symlinks": symlinks,
}


def main() -> None:
    probe = sys.argv[1]
    plan = load_plan()
    assert Path(plan["file"]).is_file(), "not in the workspace"
    view = bad_results(plan, probe) if probe.startswith("results-") else PROBES[probe](plan)
    show({"probe": probe, **(view or {})})
    if probe == "output":
        sys.stdout.buffer.write(b"\n")


if __name__ == "__main__":
    main()
