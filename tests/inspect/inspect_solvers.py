"""Scripted Inspect solvers for the tests (no model): they act on the workspace only through
the sample's sandbox, as a real agent's tools do."""

from __future__ import annotations

import json

from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import sandbox

from autoexp.inspect import SampleInfo
from autoexp.tasks._load import load_task


@solver
def restore_original(epochs: list[int] | None = None) -> Solver:
    """Write each masked file's original text back (read on the host, written through
    `sandbox().write_file`), run each experiment's command with `exec`, then write the numbers
    they print as the results file. With `epochs`, only in those epochs (1-based); in the
    others it does nothing."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if epochs is not None and state.epoch not in epochs:
            return state
        info = SampleInfo.model_validate(state.metadata)
        task = load_task(info.task_root)
        env = sandbox()
        for fn in info.combo:
            path = fn.split("::")[0]
            await env.write_file(f"/workspace/{path}", (task.code_dir / path).read_text())
        results = {}
        for exp in task.experiments_for(info.combo):
            out = await env.exec(["bash", "-c", exp.command], timeout=120)
            assert out.success, out.stderr
            results[exp.id] = json.loads(out.stdout.strip().splitlines()[-1])
        await env.write_file("results.json", json.dumps(results))
        return state

    return solve


@solver
def paper_numbers() -> Solver:
    """Write the paper's numbers as the results file and touch no code."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        info = SampleInfo.model_validate(state.metadata)
        task = load_task(info.task_root)
        paper = {
            e.id: {k: m.expected for k, m in e.metrics.items()}
            for e in task.experiments_for(info.combo)
        }
        await sandbox().write_file("/workspace/results.json", json.dumps(paper))
        return state

    return solve


@solver
def probe_paths() -> Solver:
    """Try paths outside the workspace; record what each did in the sample's store."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        env = sandbox()
        outcomes: dict[str, str] = {}
        link = await env.exec(["ln", "-s", "/etc", "out"])
        assert link.success, link.stderr
        probes = {
            "read /etc/hostname": env.read_file("/etc/hostname"),
            "read ../x": env.read_file("../x"),
            "read out/hostname": env.read_file("out/hostname"),
            "write /tmp/x": env.write_file("/tmp/x", "x"),
            "write out/x": env.write_file("out/x", "x"),
            "write /workspace/../x": env.write_file("/workspace/../x", "x"),
            "exec cwd=/tmp": env.exec(["pwd"], cwd="/tmp"),
        }
        for name, call in probes.items():
            try:
                await call
                outcomes[name] = "allowed"
            except PermissionError as e:
                outcomes[name] = f"refused: {e}"
        await env.write_file("sub/dir/ok.txt", "fine")
        outcomes["read sub/dir/ok.txt"] = await env.read_file("/workspace/sub/dir/ok.txt")
        outcomes["exec cwd=sub"] = (await env.exec(["pwd"], cwd="sub")).stdout.strip()
        outcomes["python stdin"] = (
            await env.exec(["python3", "-"], input="print(6 * 7)")
        ).stdout.strip()
        outcomes["network"] = str(
            (
                await env.exec(
                    ["python3", "-c", "import socket; socket.create_connection(('1.1.1.1', 53), 2)"]
                )
            ).success
        )
        state.store.set("outcomes", outcomes)
        return state

    return solve
