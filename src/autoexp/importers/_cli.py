"""`autoexp import ...`: the command group of the importers (a typer sub-app; light to import,
the importers themselves load when a command runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from autoexp._console import plain

import_app = typer.Typer(
    help="Import other benchmarks' datasets as autoexp tasks, and Inspect logs as runs.",
    no_args_is_help=True,
)

_out = Console(emoji=False)
_err = Console(stderr=True, emoji=False)


@import_app.command("autoexperiment")
def autoexperiment_cmd(
    src: Annotated[Path, typer.Argument(help="Root of the AutoExperiment dataset.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write the tasks into.")],
    rtol: Annotated[
        float, typer.Option(min=0.0, help="autoexp's relative tolerance on every metric.")
    ] = 0.05,
    zero_atol: Annotated[
        float, typer.Option(min=0.0, help="Absolute tolerance of a metric whose gold is 0.")
    ] = 1e-3,
    max_mre: Annotated[
        float,
        typer.Option(
            min=0.0, help="Bound of the published rule: mean relative error per experiment."
        ),
    ] = 0.05,
    timeout: Annotated[
        float, typer.Option(min=1.0, help="Timeout of each experiment, in seconds.")
    ] = 3600.0,
    overwrite: Annotated[bool, typer.Option(help="Replace task directories that exist.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Write one task per paper: functions resolved by parsing, experiments with their gold
    numbers, the published combos (`run --combos published`) and the published grading rule.
    Prints a summary and every problem; exit 1 when something was left out."""
    from autoexp.errors import AutoexpError
    from autoexp.importers._autoexperiment import import_autoexperiment
    from autoexp.importers._summary import summary_lines
    from autoexp.importers._write import ImportOptions

    try:
        options = ImportOptions(
            rtol=rtol,
            zero_atol=zero_atol,
            max_mean_relative_error=max_mre,
            timeout_s=timeout,
            overwrite=overwrite,
        )
        summary = import_autoexperiment(src, out, options)
    except (AutoexpError, ValueError) as e:
        _err.print(f"[bold red]error:[/] {plain(e)}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        print(summary.model_dump_json(indent=2))
    else:
        for line in summary_lines(summary):
            _out.print(plain(line), highlight=False, soft_wrap=True)
    raise typer.Exit(1 if summary.errors else 0)


@import_app.command("inspect-log")
def inspect_log_cmd(
    log: Annotated[Path, typer.Argument(help="Inspect eval log (.eval or .json).")],
    run_dir: Annotated[
        Path | None,
        typer.Option("--run-dir", help="Run directory to write (default: runs/<new id>)."),
    ] = None,
) -> None:
    """Store an Inspect log of `autoexp/autoexp_suite` as an autoexp run: run.json and
    results.sqlite, one attempt per (sample, epoch), graded as the log's autoexp scorer graded
    it; then `autoexp report` and `autoexp summary` work on the directory."""
    from autoexp.errors import AutoexpError

    try:
        from autoexp.inspect._import import import_inspect_log
    except ImportError as e:
        _err.print(
            f"[bold red]error:[/] reading Inspect logs needs inspect_ai ({plain(e)}); "
            "pip install 'autoexp[inspect]'",
            highlight=False,
        )
        raise typer.Exit(2) from None
    try:
        out = import_inspect_log(log, run_dir)
    except (AutoexpError, ValueError) as e:
        _err.print(f"[bold red]error:[/] {plain(e)}", highlight=False)
        raise typer.Exit(2) from None
    from autoexp.report import render_summary_table, summary

    _out.print(render_summary_table(summary(out)))
    _err.print(f"run directory: {plain(out)}", highlight=False)
