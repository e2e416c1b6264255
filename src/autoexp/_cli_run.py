"""The commands whose options are generated from pydantic models: `run` (RunOptions),
`prepare` (the run's planner) and `build` (BuildOptions). `autoexp.cli` imports this module
only when one of them runs or shows its help, so `autoexp --help` and the other commands start
without building those models."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import typer
from annotated_types import Ge
from pydantic import BaseModel, ValidationError

from autoexp._console import plain
from autoexp.builder._options import BuildOptions
from autoexp.cli import _choice, _fail, err, out
from autoexp.errors import AutoexpError
from autoexp.runner._options import RunOptions, choices_of, cli_of, explain, flag_of

app = typer.Typer()
"""`run`, `prepare` and `build`; `autoexp.cli` serves them as its own commands."""


def _typer_type(annotation: Any) -> Any:
    """The type typer parses a field as: a Literal (optional or not) as str, checked by the model
    so that its message names the choices; any other type as it is."""
    if get_origin(annotation) is Literal:
        return str
    args = get_args(annotation)
    if any(get_origin(a) is Literal for a in args):
        return str | None
    return annotation


def _metavar(annotation: Any, choices: Sequence[str]) -> str | None:
    """What `--help` shows for an option's value: its choices, TEXT for a repeatable option
    (typer would print `<list[str]>`), nothing for a flag, else typer's own."""
    if choices:
        return "|".join(choices)
    if annotation is bool:
        return ""
    if get_origin(annotation) is list or list in {get_origin(a) for a in get_args(annotation)}:
        return "TEXT"
    return None


def _parameters(model: type[BaseModel]) -> list[inspect.Parameter]:
    """typer parameters from a model's fields: `--kebab-name` (and the Cli marker's short flag),
    the field's default, its docstring as help, `ge` as typer's `min`; a bool named `no_*` is a
    single flag, any other bool `--x/--no-x`; a list is a repeatable option."""
    params = []
    for name, field in model.model_fields.items():
        cli = cli_of(name, model)
        help_text = " ".join((field.description or "").split())
        if cli.argument:
            info: Any = typer.Argument(help=help_text, metavar="TASK", show_default=False)
        else:
            decls = [flag_of(name, model)] if cli.short or name.startswith("no_") else []
            ge = next((m.ge for m in field.metadata if isinstance(m, Ge)), None)
            choices = choices_of(field)
            info = typer.Option(
                *decls,
                *([cli.short] if cli.short else []),
                help=help_text,
                min=ge,
                metavar=_metavar(field.annotation, choices),
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
    from autoexp.agents._presets import presets

    return _choice("--agent", value, ("default", *sorted(AGENTS), *sorted(presets())))


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
        str,
        typer.Option(
            callback=_prompt_agent, help="Whose prompt to write: an agent or an agent preset."
        ),
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


@app.command("build")
@_with_options(BuildOptions)
def build_cmd(options: BuildOptions) -> None:
    """Turn a repository and the commands of its experiments into a validated task.

    It finds depends_on by profiling, the maskable functions, the metrics, calibrated
    tolerances, hidden experiments and differential samples; then it validates the task and
    prints what to review (everything found is in the task's hidden/build.json). Exit 1 when a
    check fails."""
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
