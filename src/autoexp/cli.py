"""The `autoexp` command line: parses arguments and calls the library."""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import typer
from annotated_types import Ge
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from autoexp import __version__
from autoexp._console import plain
from autoexp.errors import AutoexpError
from autoexp.runner._options import RunOptions, choices_of, cli_of, explain, flag_of

app = typer.Typer(
    help="Measure how well AI research agents reproduce experiments from papers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
tasks_app = typer.Typer(help="List, show and validate tasks.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")

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
        colour = "green" if ok else "red"
        out.print(f"[{colour}]{len(results)} task(s), {n_checks} checks, {n_bad} failed[/]")
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
    from autoexp.sandbox import make_sandbox
    from autoexp.tasks import resolve_tasks

    try:
        resolved = resolve_tasks(tasks)
        sandbox = make_sandbox(backend=backend)
    except (AutoexpError, ValueError) as e:
        raise _fail(e) from None
    ok = True
    for task in resolved:
        out.print(f"[bold]{plain(task.id)}[/]: recording ...", highlight=False)
        try:
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


# ----------------------------------------------------------------------------- run


def _typer_type(annotation: Any) -> Any:
    """The type typer parses a field as: a Literal (optional or not) as str, checked by the model
    so that its message names the choices; any other type as it is."""
    if get_origin(annotation) is Literal:
        return str
    args = get_args(annotation)
    if any(get_origin(a) is Literal for a in args):
        return str | None
    return annotation


def _parameters(model: type[BaseModel]) -> list[inspect.Parameter]:
    """typer parameters from a model's fields: `--kebab-name` (and the Cli marker's short flag),
    the field's default, its docstring as help, `ge` as typer's `min`; a bool named `no_*` is a
    single flag, any other bool `--x/--no-x`; a list is a repeatable option."""
    params = []
    for name, field in model.model_fields.items():
        cli = cli_of(name, model)
        help_text = " ".join((field.description or "").split())
        if cli.argument:
            info: Any = typer.Argument(help=help_text)
        else:
            decls = [flag_of(name, model)] if cli.short or name.startswith("no_") else []
            ge = next((m.ge for m in field.metadata if isinstance(m, Ge)), None)
            choices = choices_of(field)
            info = typer.Option(
                *decls,
                *([cli.short] if cli.short else []),
                help=help_text,
                min=ge,
                metavar="|".join(choices) if choices else None,
            )
        annotation = Annotated[_typer_type(field.annotation), info]
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=field.default, annotation=annotation
            )
        )
    return params


def _with_options(model: type[BaseModel]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command `(options)` the model's fields as its typer parameters; it is called with
    the model built from the parameters given on the command line (so `model_fields_set` says
    which were given). A value the model refuses is a usage error (exit 2)."""

    def wrap(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def parse(ctx: typer.Context, **params: Any) -> None:
            given = _given(ctx)
            try:
                options = model.model_validate({k: v for k, v in params.items() if k in given})
            except ValidationError as e:
                raise typer.BadParameter(explain(e, model)) from None
            command(options)

        ctx_param = inspect.Parameter(
            "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
        )
        parse.__signature__ = inspect.Signature([ctx_param, *_parameters(model)])  # type: ignore[attr-defined]
        return parse

    return wrap


def _given(ctx: typer.Context) -> set[str]:
    """Names of the parameters given on the command line (not left at their default)."""
    sources = {p: ctx.get_parameter_source(p) for p in ctx.params}
    return {p for p, src in sources.items() if src and src.name not in ("DEFAULT", "DEFAULT_MAP")}


@app.command("run")
@_with_options(RunOptions)
def run_cmd(options: RunOptions) -> None:
    """Run agents on tasks, grade by re-execution, store everything in a run directory
    (and write its HTML report)."""
    from autoexp.runner import run

    try:
        result = run(
            options.run_config(),
            options.run_dir,
            resume=options.resume,
            console=err,
            progress=not options.no_progress,
            argv=sys.argv,
        )
    except (AutoexpError, ValueError) as e:
        raise _fail(e) from None
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]: finished attempts are saved; continue with --resume")
        raise typer.Exit(130) from None
    _print_summary(result.run_dir)
    err.print(f"run directory: {plain(result.run_dir)}", highlight=False)
    if not options.no_report:
        from autoexp.report import write_report

        err.print(f"report:        {plain(write_report(result.run_dir))}", highlight=False)
    if result.stopped:
        raise _fail(AutoexpError(result.stopped))
    if not options.agent and not options.resume:
        err.print(
            "\nThis was the self-test (oracle must score 100 %, noop 0 %). To evaluate a model:\n"
            "  autoexp run --agent react --model MODEL --base-url URL   "
            "(key from $OPENAI_API_KEY)\n"
            "To evaluate your own CLI agent:\n"
            "  autoexp run --agent command --agent-cmd 'mycli --prompt-file {prompt_file}'"
        )


def _print_summary(run_dir: Path) -> None:
    from autoexp.report import render_summary_table, summary

    out.print(render_summary_table(summary(run_dir)))


# ----------------------------------------------------------------------------- prepare


def _prompt_agent(value: str) -> str:
    from autoexp.agents import AGENTS

    return _choice("--agent", value, ("default", *sorted(AGENTS)))


@app.command("prepare")
def prepare_cmd(
    task: Annotated[str, typer.Argument(help="Built-in task id or task directory.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write (must not exist).")],
    functions: Annotated[
        str | None, typer.Option(help="Function ids to mask, comma-separated.")
    ] = None,
    n: Annotated[
        int, typer.Option("--n", min=0, help="Mask n functions, drawn as `run --n N --seed S`.")
    ] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the draw.")] = 0,
    agent: Annotated[
        str, typer.Option(callback=_prompt_agent, help="Whose prompt template to use.")
    ] = "default",
    setting: Annotated[
        str, typer.Option(help="Information setting: pc+cmd, pc, reproduce, or switches.")
    ] = "pc+cmd",
    commands: Annotated[str | None, typer.Option(help="given|hidden.")] = None,
    paper: Annotated[str | None, typer.Option(help="full|none|excerpts.")] = None,
    descriptions: Annotated[str | None, typer.Option(help="on|off.")] = None,
) -> None:
    """Write exactly the workspace and prompt an agent would get (to inspect, or to run your
    own agent by hand)."""
    from autoexp.tasks import resolve_tasks

    try:
        options = RunOptions(
            tasks=[task],
            n=str(n),
            seed=seed,
            setting=[setting],
            commands=commands,  # type: ignore[arg-type]  # checked by the model
            paper=paper,  # type: ignore[arg-type]
            descriptions=descriptions,  # type: ignore[arg-type]
        )
    except ValidationError as e:
        raise typer.BadParameter(explain(e)) from None
    try:
        (t,) = resolve_tasks([task])
        if out_dir.exists() and not out_dir.is_dir():
            raise AutoexpError(f"{out_dir}: is a file, not a directory")
        if out_dir.exists() and any(out_dir.iterdir()):
            raise AutoexpError(f"{out_dir}: exists and is not empty")
        if functions:
            combo = tuple(sorted(f.strip() for f in functions.split(",") if f.strip()))
            for f in combo:
                t.function(f)
        else:
            combo = options.first_combo(t)  # the planner's draw, as `run` makes it
    except (AutoexpError, KeyError, ValueError, OSError) as e:
        raise _fail(e) from None
    _write_workspace(t, combo, options.settings()[0], agent, out_dir)
    out.print(f"masked {len(combo)} function(s): {plain(', '.join(combo) or '(none)')}")
    out.print(
        f"workspace: {plain(out_dir / 'workspace')}\nprompt:    {plain(out_dir / 'prompt.md')}",
        highlight=False,
    )


def _write_workspace(
    task: Any, combo: tuple[str, ...], setting: Any, agent: str, out_dir: Path
) -> None:
    """Prepare the workspace and prompt of `combo` and write them to `out_dir`; on an error, remove
    only a workspace this call started to write."""
    import shutil
    import tempfile

    from autoexp.runner import prepare_workspace, write_prepared

    writing = False
    try:
        with tempfile.TemporaryDirectory() as tmp:
            prep = prepare_workspace(task, combo, Path(tmp), agent_name=agent, setting=setting)
            try:
                out_dir.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise AutoexpError(f"{out_dir}: cannot create: {e.strerror or e}") from None
            writing = True
            write_prepared(prep, out_dir)
    except (AutoexpError, KeyError, ValueError, OSError) as e:
        if writing:
            shutil.rmtree(out_dir / "workspace", ignore_errors=True)
        raise _fail(e) from None


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


from autoexp.builder._options import BuildOptions  # noqa: E402  (light: pydantic only)


@app.command("build")
@_with_options(BuildOptions)
def build_cmd(options: BuildOptions) -> None:
    """Turn a repository and the commands of its experiments into a task: depends_on by
    profiling, maskable functions, metrics, calibrated tolerances, hidden experiments,
    differential samples; then validate it and print what to review (everything found is in
    the task's hidden/build.json). Exit 1 when a check fails."""
    from autoexp.builder import summary_lines
    from autoexp.builder._suite import _line

    name = options.id or (options.src.name if options.src else "build")
    try:
        res = options.build(
            on_progress=lambda m: out.print(plain(m), highlight=False),
            on_check=lambda c: out.print(_line(name, c), highlight=False),
        )
    except (AutoexpError, ValueError) as e:
        raise _fail(e) from None
    for line in summary_lines(res):
        out.print(plain(line), highlight=False)
    raise typer.Exit(0 if res.validation is None or res.validation.ok else 1)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:
        sys.stderr.close()


if __name__ == "__main__":
    main()
