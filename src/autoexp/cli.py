"""The `autoexp` command line: parses arguments and calls the library."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from autoexp import __version__
from autoexp._console import plain
from autoexp.errors import AutoexpError

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
        ok = ok and summary.ok
    if not ok:
        err.print(
            "[bold red]error:[/] some experiments failed or some functions got no sample "
            "(see above)",
            highlight=False,
        )
    raise typer.Exit(0 if ok else 1)


# ----------------------------------------------------------------------------- run


def _parse_ns(text: str) -> list[int]:
    try:
        ns = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise typer.BadParameter(f"--n takes integers separated by commas, got {text!r}") from None
    if not ns or min(ns) < 0:
        raise typer.BadParameter("--n needs at least one integer >= 0")
    return ns


@app.command("run")
def run_cmd(
    ctx: typer.Context,
    tasks: Annotated[
        list[str] | None,
        typer.Argument(
            help="Built-in task ids, task directories or folders (default: built-in suite)."
        ),
    ] = None,
    agent: Annotated[
        list[str] | None,
        typer.Option(
            "--agent", "-a", help="Agent NAME or NAME:MODEL; repeatable (default: oracle and noop)."
        ),
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model for model-driven agents.")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL).")
    ] = None,
    api_key_env: Annotated[
        str, typer.Option(help="Env var holding the API key.")
    ] = "OPENAI_API_KEY",
    agent_cmd: Annotated[
        str | None, typer.Option(help="Command template of the `command` agent.")
    ] = None,
    agent_network: Annotated[
        bool, typer.Option(help="Give the command agent's process network (grading never has it).")
    ] = False,
    agent_env: Annotated[
        list[str] | None,
        typer.Option(
            help="Host env var passed to the command agent (e.g. its API key); repeatable."
        ),
    ] = None,
    agent_option: Annotated[
        list[str] | None,
        typer.Option(help="Agent or model option KEY=VALUE (YAML value); repeatable."),
    ] = None,
    tool_format: Annotated[
        str,
        typer.Option(
            callback=lambda v: _choice("--tool-format", v, ("native", "text")),
            help="react tool protocol: native or text.",
        ),
    ] = "native",
    n: Annotated[str, typer.Option("--n", help="Numbers of masked functions, e.g. 1,2.")] = "1",
    trials: Annotated[int, typer.Option(min=1, help="Trials per combo and agent.")] = 1,
    combos_per_n: Annotated[
        int, typer.Option(min=0, help="Combos drawn per task and n (0: all).")
    ] = 1,
    workers: Annotated[int, typer.Option(min=1, help="Parallel attempts.")] = os.cpu_count() or 1,
    seed: Annotated[int, typer.Option(help="Seed of the combo draw.")] = 0,
    max_retries: Annotated[
        int,
        typer.Option(
            min=0,
            help="Retries of an attempt's infra errors, within the run (with backoff) and on "
            "--resume, counted over the attempt's life.",
        ),
    ] = 2,
    preflight: Annotated[
        bool,
        typer.Option(help="Check each model endpoint with one cheap request before running."),
    ] = True,
    max_api_failures: Annotated[
        int,
        typer.Option(
            min=0,
            help="Stop after this many consecutive model API errors on one endpoint (the rest "
            "stays for --resume); 0: never stop.",
        ),
    ] = 5,
    max_steps: Annotated[int, typer.Option(min=1, help="Budget: model calls.")] = 50,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Budget: tokens in + out.")] = None,
    max_cost: Annotated[
        float | None, typer.Option(callback=_positive("--max-cost"), help="Budget: dollars.")
    ] = None,
    max_wall: Annotated[
        float,
        typer.Option(callback=_positive("--max-wall"), help="Budget: seconds of tool time."),
    ] = 1800.0,
    run_dir: Annotated[
        Path | None, typer.Option(help="Run directory (default: runs/<new id>).")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            help="Finish an interrupted run and retry its infra errors (options that change "
            "the plan are refused; workers, retries, budgets and sandbox limits apply)."
        ),
    ] = False,
    backend: Annotated[
        str, typer.Option(callback=_backend, help="Sandbox: auto, bwrap or none.")
    ] = "auto",
    memory_mb: Annotated[
        int, typer.Option(min=1, help="Sandbox memory limit per process, in MB.")
    ] = 4096,
    sandbox_ro: Annotated[
        list[Path] | None,
        typer.Option(
            help="Extra host path visible read-only in the sandbox (e.g. a CLI agent's "
            "install); repeatable."
        ),
    ] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option(
            help="Information setting: preset pc+cmd (default), pc or reproduce, or switches "
            "like 'commands=hidden,paper=none'; repeatable."
        ),
    ] = None,
    commands: Annotated[
        str | None, typer.Option(help="given|hidden: experiment commands in the prompt.")
    ] = None,
    paper: Annotated[str | None, typer.Option(help="full|none|excerpts: the paper given.")] = None,
    descriptions: Annotated[
        str | None, typer.Option(help="on|off: masked functions keep their description.")
    ] = None,
    integrity: Annotated[
        str,
        typer.Option(
            callback=lambda v: _choice("--integrity", v, ("strict", "warn")),
            help="strict|warn. strict: a masked body that exits the process, replaces stdout or builtins, "
            "reaches into frames, patches modules or runs dynamic code fails the attempt; "
            "warn: only flag it.",
        ),
    ] = "strict",
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    no_report: Annotated[
        bool, typer.Option("--no-report", help="Do not write report/ at the end.")
    ] = False,
) -> None:
    """Run agents on tasks, grade by re-execution, store everything in a run directory
    (and write its HTML report)."""
    from autoexp.agents import AgentSpec, Budget
    from autoexp.runner import RunConfig, run
    from autoexp.sandbox import SandboxConfig

    specs: list[AgentSpec] = []
    options: dict[str, object] = {"tool_format": tool_format}
    if agent_cmd:
        options["cmd"] = agent_cmd
    if agent_network:
        options["network"] = True
    if agent_env:
        options["pass_env"] = list(agent_env)
    for item in agent_option or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _fail(ValueError(f"--agent-option takes KEY=VALUE, got {item!r}"))
        options[key.strip()] = yaml.safe_load(value)
    from autoexp.agents import MODEL_AGENTS

    for a in agent or ["oracle", "noop"]:
        name, _, m = a.partition(":")
        # --model goes to model-driven agents, and to a command agent whose template uses it
        uses_model = name in MODEL_AGENTS or (name == "command" and "{model}" in (agent_cmd or ""))
        specs.append(
            AgentSpec(
                name=name,
                model=m or (model if uses_model else None),
                base_url=base_url,
                api_key_env=api_key_env,
                options=options if name not in ("oracle", "noop") else {},
            )
        )
    try:
        ns = _parse_ns(n)
        config = RunConfig(
            tasks=list(tasks or []),
            agents=specs,
            ns=ns,
            trials=trials,
            combos_per_n=combos_per_n or None,
            seed=seed,
            settings=_settings(setting, commands, paper, descriptions),
            budget=Budget(
                max_steps=max_steps, max_tokens=max_tokens, max_cost=max_cost, max_wall_s=max_wall
            ),
            workers=workers,
            max_retries=max_retries,
            sandbox=SandboxConfig(
                memory_mb=memory_mb, extra_ro=[p.resolve() for p in sandbox_ro or []]
            ),
            backend=backend,
            integrity=integrity,
            preflight=preflight,
            max_api_failures=max_api_failures,
        )
        if resume:
            from autoexp.runner import load_run_file, resume_config

            if run_dir is None:
                raise AutoexpError("--resume needs --run-dir")
            changes = _resume_changes(_given(ctx), config)
            config = resume_config(load_run_file(run_dir).config, changes)
        else:
            from autoexp.agents import validate_agent_spec

            for spec in specs:
                validate_agent_spec(spec)
        result = run(
            config,
            run_dir,
            resume=resume,
            console=err,
            progress=not no_progress,
            argv=sys.argv,
        )
    except (AutoexpError, ValueError) as e:
        raise _fail(e) from None
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]: finished attempts are saved; continue with --resume")
        raise typer.Exit(130) from None
    _print_summary(result.run_dir)
    err.print(f"run directory: {plain(result.run_dir)}", highlight=False)
    if not no_report:
        from autoexp.report import write_report

        err.print(f"report:        {plain(write_report(result.run_dir))}", highlight=False)
    if result.stopped:
        raise _fail(AutoexpError(result.stopped))
    if not agent and not resume:
        err.print(
            "\nThis was the self-test (oracle must score 100 %, noop 0 %). To evaluate a model:\n"
            "  autoexp run --agent react --model MODEL --base-url URL   "
            "(key from $OPENAI_API_KEY)\n"
            "To evaluate your own CLI agent:\n"
            "  autoexp run --agent command --agent-cmd 'mycli --prompt-file {prompt_file}'"
        )


def _settings(
    presets: list[str] | None, commands: str | None, paper: str | None, descriptions: str | None
) -> list[object]:
    """Settings from --setting values, each changed by the individual switches."""
    from autoexp.settings import resolve_settings, setting_from_switches

    if descriptions not in (None, "on", "off"):
        raise AutoexpError(f"--descriptions takes on or off, got {descriptions!r}")
    desc = None if descriptions is None else descriptions == "on"
    out: list[object] = []
    for base in resolve_settings(presets):
        s = setting_from_switches(base, commands=commands, paper=paper, descriptions=desc)
        if s not in out:
            out.append(s)
    return out


_RESUME_FIELDS: dict[str, tuple[str, ...]] = {
    "tasks": ("tasks",),
    "agents": (
        "agent",
        "model",
        "base_url",
        "api_key_env",
        "agent_cmd",
        "agent_network",
        "agent_env",
        "agent_option",
        "tool_format",
    ),
    "ns": ("n",),
    "trials": ("trials",),
    "combos_per_n": ("combos_per_n",),
    "seed": ("seed",),
    "settings": ("setting", "commands", "paper", "descriptions"),
    "integrity": ("integrity",),
    "workers": ("workers",),
    "max_retries": ("max_retries",),
    "backend": ("backend",),
    "preflight": ("preflight",),
    "max_api_failures": ("max_api_failures",),
}
"""RunConfig field -> the `run` options that set it."""
_RESUME_PARTS: dict[str, dict[str, str]] = {
    "budget": {
        "max_steps": "max_steps",
        "max_tokens": "max_tokens",
        "max_cost": "max_cost",
        "max_wall": "max_wall_s",
    },
    "sandbox": {"memory_mb": "memory_mb", "sandbox_ro": "extra_ro"},
}
"""RunConfig field -> {`run` option: its sub-field}, for fields set by several options."""


def _given(ctx: typer.Context) -> set[str]:
    """Names of the parameters given on the command line (not left at their default)."""
    sources = {p: ctx.get_parameter_source(p) for p in ctx.params}
    return {p for p, src in sources.items() if src and src.name not in ("DEFAULT", "DEFAULT_MAP")}


def _resume_changes(given: set[str], config: object) -> dict[str, object]:
    """What the given options set in `config`, for `resume_config` (the rest stays stored)."""
    changes: dict[str, object] = {
        f: getattr(config, f) for f, params in _RESUME_FIELDS.items() if given & set(params)
    }
    for f, parts in _RESUME_PARTS.items():
        part = {sub: getattr(getattr(config, f), sub) for o, sub in parts.items() if o in given}
        if part:
            changes[f] = part
    return changes


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
    n: Annotated[int, typer.Option("--n", min=0, help="Mask n functions drawn with --seed.")] = 1,
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
    import shutil
    import tempfile

    from autoexp.masking import draw_combos
    from autoexp.runner import prepare_workspace, task_seed, write_prepared
    from autoexp.tasks import resolve_tasks

    writing = False  # only a workspace this command started to write is removed on error
    try:
        (t,) = resolve_tasks([task])
        if out_dir.exists() and not out_dir.is_dir():
            raise AutoexpError(f"{out_dir}: is a file, not a directory")
        if out_dir.exists() and any(out_dir.iterdir()):
            raise AutoexpError(f"{out_dir}: exists and is not empty")
        (chosen,) = _settings([setting], commands, paper, descriptions)
        if functions:
            combo = tuple(sorted(f.strip() for f in functions.split(",") if f.strip()))
            for f in combo:
                t.function(f)
        else:
            n = chosen.n if chosen.n is not None else n
            combo = draw_combos(t.maskable(), n, 1, task_seed(seed, t.id, n))[0]
        with tempfile.TemporaryDirectory() as tmp:
            prep = prepare_workspace(t, combo, Path(tmp), agent_name=agent, setting=chosen)
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
    out.print(f"masked {len(combo)} function(s): {plain(', '.join(combo) or '(none)')}")
    out.print(
        f"workspace: {plain(out_dir / 'workspace')}\nprompt:    {plain(out_dir / 'prompt.md')}",
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
