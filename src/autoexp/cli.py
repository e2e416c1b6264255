"""The `autoexp` command line: parses arguments and calls the library."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from autoexp import __version__
from autoexp._cli_agents import agents_app
from autoexp._console import plain
from autoexp.errors import AutoexpError
from autoexp.importers._cli import import_app

LAZY_COMMANDS = {
    "run": "Run agents on tasks, grade by re-execution, store everything in a run directory "
    "(and write its HTML report).",
    "prepare": "Write exactly the workspace and prompt an agent would get (to inspect, or to "
    "run your own agent by hand).",
    "build": "Turn a repository and the commands of its experiments into a validated task.",
}
"""Commands served from `autoexp._cli_run` -> the first paragraph of their help, which the
command list shows (a test holds it to the commands' docstrings)."""


class _Group(TyperGroup):
    """The top-level group: the commands of LAZY_COMMANDS are imported only when one of them
    runs or shows its help (their options are generated from pydantic models); the list of
    commands in `autoexp --help` shows them without importing them."""

    listing = False

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return [*LAZY_COMMANDS, *(c for c in super().list_commands(ctx) if c not in LAZY_COMMANDS)]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        if cmd_name not in LAZY_COMMANDS or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        if self.listing:
            return TyperCommand(cmd_name, help=LAZY_COMMANDS[cmd_name])
        from autoexp._cli_run import app as lazy

        group = typer.main.get_group(lazy)
        self.commands.update({name: group.commands[name] for name in LAZY_COMMANDS})
        return self.commands[cmd_name]

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    cls=_Group,
    help="Measure how well AI research agents reproduce experiments from papers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
tasks_app = typer.Typer(help="List, show and validate tasks.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")
app.add_typer(agents_app, name="agents")
app.add_typer(import_app, name="import")

out = Console(emoji=False)  # user text like "react:x:" must not become emoji
err = Console(stderr=True, emoji=False)


def _fail(e: Exception) -> typer.Exit:
    err.print(f"[bold red]error:[/] {plain(e)}", highlight=False)
    return typer.Exit(2)


def _choice(option: str, value: str, choices: tuple[str, ...]) -> str:
    """Validate an option's value where it is parsed (so nothing runs on a typo)."""
    if value not in choices:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(choices)}", param_hint=option)
    return value


def _backend(value: str) -> str:
    from autoexp.sandbox._factory import BACKENDS

    return _choice("--backend", value, BACKENDS)


def _positive(option: str) -> Callable[[float | None], float | None]:
    """A callback rejecting a number <= 0 (typer's `min` cannot exclude 0 for floats)."""

    def check(value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise typer.BadParameter(f"{value:g} is not > 0", param_hint=option)
        return value

    return check


def _version(value: bool) -> None:
    if value:
        print(f"autoexp {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """autoexp: reproduce-the-paper evaluations for research agents."""


# ----------------------------------------------------------------------------- tasks


@tasks_app.command("list")
def tasks_list(
    path: Annotated[
        Path | None, typer.Option(help="A folder of tasks (default: the built-in suite).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List tasks with their numbers of functions and experiments."""
    from autoexp.tasks import resolve_tasks

    try:
        tasks = resolve_tasks([str(path)] if path else None)
    except AutoexpError as e:
        raise _fail(e) from None
    rows = [
        {
            "id": t.id,
            "title": t.spec.title,
            "topic": t.spec.topic,
            "path": str(t.root),
            "n_functions": len(t.spec.functions),
            "n_experiments": len(t.spec.experiments),
            "n_hidden_experiments": len(t.spec.hidden_experiments),
        }
        for t in tasks
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("id", "topic", "functions", "experiments", "hidden")
    for r in rows:
        table.add_row(
            plain(r["id"]),
            plain(r["topic"] or r["title"]),
            str(r["n_functions"]),
            str(r["n_experiments"]),
            str(r["n_hidden_experiments"]),
        )
    out.print(table)
    out.print(
        f"{len(rows)} tasks, {sum(r['n_functions'] for r in rows)} functions, "
        f"{sum(r['n_experiments'] for r in rows)} experiments"
    )


@tasks_app.command("show")
def tasks_show(
    task: Annotated[str, typer.Argument(help="Built-in task id or task directory.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one task: experiments, metrics, functions (expected values included)."""
    from autoexp.tasks import resolve_tasks

    try:
        (t,) = resolve_tasks([task])
    except (AutoexpError, ValueError) as e:
        raise _fail(e) from None
    if as_json:
        data = t.spec.model_dump(mode="json", by_alias=True)
        data["path"] = str(t.root)
        print(json.dumps(data, indent=2))
        return
    out.print(f"[bold]{plain(t.id)}[/]: {plain(t.spec.title)}\n{plain(t.root)}", highlight=False)
    table = Table("experiment", "command", "metrics", "depends on")
    for e in t.spec.experiments:
        metrics = ", ".join(f"{k}={m.expected:g}" for k, m in e.metrics.items())
        table.add_row(plain(e.id), plain(e.command), plain(metrics), plain("\n".join(e.depends_on)))
    out.print(table)
    if t.spec.hidden_experiments:
        ht = Table("hidden experiment", "of", "command", "metrics", title="never shown to agents")
        for h in t.spec.hidden_experiments:
            metrics = ", ".join(f"{k}={m.expected:g}" for k, m in h.metrics.items())
            ht.add_row(plain(h.id), plain(h.of), plain(h.command), plain(metrics))
        out.print(ht)
    ft = Table("function", "description")
    for f in t.spec.functions:
        ft.add_row(plain(f.id), plain(f.description))
    out.print(ft)
    for line in _task_notes(t.spec):
        out.print(plain(line), highlight=False, soft_wrap=True)


def _task_notes(spec: Any) -> list[str]:
    """What `tasks show` says under the tables: fixed combos, the benchmark's own pass rule,
    what running the task needs, where it was imported from, experiments still lacking a
    metric regex."""
    notes = []
    if spec.combos:
        sizes = sorted({len(c) for c in spec.combos})
        notes.append(f"published combos: {len(spec.combos)} (n = {', '.join(map(str, sizes))})")
    if spec.rule is not None:
        notes.append(f"pass rule: mean relative error <= {spec.rule.max:g} {spec.rule.source}")
    needs = spec.needs
    wanted = [f"requirements: {', '.join(needs.requirements)}"] if needs.requirements else []
    wanted += [f"conda env {needs.conda_env}"] if needs.conda_env else []
    wanted += [f"{needs.gpus} GPU(s)"] if needs.gpus else []
    wanted += ["network to set up"] if needs.setup_network else []
    if wanted:
        notes.append("needs: " + "; ".join(wanted))
    if spec.origin is not None:
        notes.append(f"imported from {spec.origin.dataset}, paper {spec.origin.paper_id}")
    free = [e.id for e in spec.experiments if e.needs_extraction]
    if free:
        notes.append(f"metrics to extract (graded on reported numbers until then): {free}")
    return notes


@tasks_app.command("schema")
def tasks_schema() -> None:
    """Print the JSON schema of task.yaml (with every field's description)."""
    from autoexp.tasks import TaskSpec

    print(json.dumps(TaskSpec.model_json_schema(by_alias=True), indent=2))


@tasks_app.command("validate")
def tasks_validate(
    tasks: Annotated[
        list[str] | None, typer.Argument(help="Task ids, task directories or folders of tasks.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Tasks validated in parallel.")
    ] = os.cpu_count() or 1,
    trace: Annotated[bool, typer.Option(help="Check depends_on by tracing.")] = True,
    mutants: Annotated[bool, typer.Option(help="Check that every mutant is caught.")] = True,
    backend: Annotated[
        str, typer.Option(callback=_backend, help="Sandbox backend: auto, bwrap, none.")
    ] = "auto",
) -> None:
    """Validate tasks: oracle reproduces (twice, identically), each masked function and each
    mutant is caught, depends_on matches a trace, the paper holds no code. Exit 1 on failure."""
    from autoexp.builder._suite import validate_many

    try:
        results = validate_many(
            tasks,
            workers=workers,
            trace=trace,
            mutants=mutants,
            backend=backend,
            console=None if as_json else out,
        )
    except AutoexpError as e:
        raise _fail(e) from None
    if as_json:
        print(json.dumps([r.model_dump(mode="json") for r in results], indent=2))
    ok = all(r.ok for r in results)
    if not as_json:
        n_checks = sum(len(r.checks) for r in results)
        n_bad = sum(not c.ok for r in results for c in r.checks)
        n_skipped = sum(r.skipped is not None for r in results)
        colour = "green" if ok else "red"
        skipped = f", {n_skipped} task(s) skipped" if n_skipped else ""
        out.print(
            f"[{colour}]{len(results)} task(s), {n_checks} checks, {n_bad} failed{skipped}[/]"
        )
    raise typer.Exit(0 if ok else 1)


@tasks_app.command("record")
def tasks_record(
    tasks: Annotated[list[str], typer.Argument(help="Task ids or task directories.")],
    max_samples: Annotated[
        int, typer.Option(min=1, help="Calls recorded per function, over all experiments.")
    ] = 5,
    max_task_mb: Annotated[
        float,
        typer.Option(
            callback=_positive("--max-task-mb"),
            help="Cap on the size of one task's samples, in MB.",
        ),
    ] = 1.0,
    backend: Annotated[
        str, typer.Option(callback=_backend, help="Sandbox backend: auto, bwrap, none.")
    ] = "auto",
) -> None:
    """Record differential-test samples (hidden/samples/) from the original code's visible
    experiments: inputs of each function's calls, and its outputs on replay. Exit 1 when an
    experiment fails or a function gets no sample."""
    from autoexp.difftest import record_samples
    from autoexp.runner._envs import task_sandbox
    from autoexp.sandbox import make_sandbox
    from autoexp.tasks import resolve_tasks

    try:
        resolved = resolve_tasks(tasks)
        make_sandbox(backend=backend)  # the backend can run, before any task is recorded
    except (AutoexpError, ValueError) as e:
        raise _fail(e) from None
    ok = True
    for task in resolved:
        out.print(f"[bold]{plain(task.id)}[/]: recording ...", highlight=False)
        try:
            sandbox = task_sandbox(
                task, backend=backend, on_progress=lambda m: out.print(plain(m), highlight=False)
            )
            summary = record_samples(
                task,
                sandbox,
                max_samples=max_samples,
                max_task_bytes=int(max_task_mb * 1e6),
                on_progress=lambda msg: out.print(f"  {plain(msg)}", highlight=False),
            )
        except AutoexpError as e:
            raise _fail(e) from None
        _print_samples(summary)
        ok = ok and summary.ok
    if not ok:
        err.print(
            "[bold red]error:[/] some experiments failed or some functions got no sample "
            "(see above)",
            highlight=False,
        )
    raise typer.Exit(0 if ok else 1)


def _print_samples(summary: Any) -> None:
    """What `tasks record` recorded for one task: samples per function, failed experiments."""
    for f in summary.functions:
        colour = "green" if f.samples else "red"
        out.print(
            f"  [{colour}]{f.samples} sample(s)[/] {plain(f.function)} ({f.calls} calls, "
            f"{f.bytes / 1e3:.0f} kB, {len(f.skipped)} skipped)",
            highlight=False,
        )
        for why in f.skipped[:3]:
            out.print(f"      skipped: {plain(why)}", highlight=False)
    for e in summary.errors:
        out.print(f"  [red]experiment failed:[/] {plain(e)}", highlight=False)
    out.print(
        f"  {summary.total_bytes / 1e6:.2f} MB in {plain(Path(summary.index).parent)} "
        f"({summary.seconds:.0f}s)",
        highlight=False,
    )


# ----------------------------------------------------------------------------- results


@app.command("summary")
def summary_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run directory.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Success rate, pass@k, cost and failure reasons per agent, model, setting and n."""
    from autoexp.report import render_summary_table, summary

    try:
        s = summary(run_dir)
    except AutoexpError as e:
        raise _fail(e) from None
    if as_json:
        print(s.model_dump_json(indent=2))
    else:
        out.print(render_summary_table(s))


@app.command("attempts")
def attempts_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run directory.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One line (or JSON object) per attempt."""
    from autoexp.runner import SqliteStore, load_run_file

    try:
        load_run_file(run_dir)
        with SqliteStore(run_dir / "results.sqlite") as store:
            rows = list(store.rows())
    except AutoexpError as e:
        raise _fail(e) from None
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("attempt", "status", "reason", "wall s", "hidden", "fn ok", "flags")
    for r in rows:
        colour = {"passed": "green", "failed": "red"}.get(r["status"], "yellow")
        fc = r["functions_correct"]
        table.add_row(
            plain(r["attempt_id"]),
            f"[{colour}]{plain(r['status'])}[/]",
            plain(r["reason"]),
            f"{r['wall_s']:.1f}",
            r["hidden_passed"] or "",
            "" if fc is None else f"{fc:.0%}",
            plain(", ".join(_flags(r))),
        )
    out.print(table)


def _flags(row: dict) -> list[str]:
    """The integrity flags of one `attempts --json` row, for the table."""
    names = ["fabricated", "overfit", "suspect", "edited_outside_mask"]
    flags = [n for n in names if row[n]]
    if row["integrity"]:
        flags.append(f"integrity×{len(row['integrity'])}")
    return flags


@app.command("regrade")
def regrade_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run directory.")],
    task_dir: Annotated[
        list[str] | None,
        typer.Option(
            "--task-dir",
            help="Task id or directory to grade against instead of the one an attempt recorded "
            "(matched by task id; repeatable).",
        ),
    ] = None,
    reexecute: Annotated[
        bool,
        typer.Option(
            "--reexecute",
            help="Re-run verification from the agent's stored bodies, in a fresh sandbox and "
            "without the agent (default: recompute grades from the stored evidence).",
        ),
    ] = False,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Parallel re-executions (default: the run's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Grade a stored run again against the tasks as they are now; print what changed."""
    from autoexp.runner import regrade

    try:
        res = regrade(run_dir, task_dirs=task_dir or [], reexecute=reexecute, workers=workers)
    except AutoexpError as e:
        raise _fail(e) from None
    if as_json:
        print(res.model_dump_json(indent=2))
        return
    out.print(
        f"regraded {res.regraded} attempt(s) of {plain(run_dir)}: {len(res.changes)} changed, "
        f"{len(res.kept)} kept as they were",
        highlight=False,
    )
    if res.changes:
        moved: dict[tuple[str, str, str], int] = {}
        for c in res.changes:
            moved[(c.task, c.before, c.after)] = moved.get((c.task, c.before, c.after), 0) + 1
        table = Table("task", "before", "after", "attempts")
        for (task, before, after), count in sorted(moved.items()):
            table.add_row(plain(task), plain(before), plain(after), str(count))
        out.print(table)
    whys: dict[str, int] = {}
    for why in res.kept.values():
        whys[why] = whys.get(why, 0) + 1
    for why, count in sorted(whys.items(), key=lambda kv: -kv[1]):
        out.print(f"kept {count}: {plain(why)}", highlight=False)


@app.command("report")
def report_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run directory.")],
    compare: Annotated[
        list[Path] | None, typer.Option(help="Other run directories to put side by side.")
    ] = None,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the report in the web browser.")
    ] = False,
) -> None:
    """Write report/index.html (self-contained) and report/summary.md into the run directory."""
    from autoexp.report import write_report

    try:
        path = write_report(run_dir, compare=list(compare or []))
    except AutoexpError as e:
        raise _fail(e) from None
    out.print(f"report: {plain(path)}", highlight=False)
    if open_browser:
        import webbrowser

        webbrowser.open(path.resolve().as_uri())


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:
        sys.stderr.close()


if __name__ == "__main__":
    main()
