"""`autoexp agents ...`: list and install agent presets (a typer sub-app of autoexp.cli).

Kept outside `autoexp.agents` so that importing the CLI stays light: the commands import what
they use when they run.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from autoexp._console import plain
from autoexp.errors import AutoexpError

agents_app = typer.Typer(help="Agent presets: list and install them.", no_args_is_help=True)
_out = Console(emoji=False)
_err = Console(stderr=True, emoji=False)


def _fail(e: Exception) -> typer.Exit:
    _err.print(f"[bold red]error:[/] {plain(e)}", highlight=False)
    return typer.Exit(2)


@agents_app.command("list")
def agents_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the agent presets (built-in and yours) and whether each is installed."""
    from autoexp.agents._install import is_installed, tool_dir
    from autoexp.agents._presets import presets, user_preset_paths

    try:
        found = presets()
    except AutoexpError as e:
        raise _fail(e) from None
    rows = [
        {
            "name": p.name,
            "version": p.version,
            "installed": is_installed(p),
            "install_dir": str(tool_dir(p) or ""),
            "verified_by": p.verified_by,
            "description": p.description,
            "source": p.source,
        }
        for p in found.values()
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("preset", "version", "installed", "verified by", "description")
    for r in rows:
        table.add_row(
            plain(r["name"]),
            plain(r["version"]),
            "[green]yes[/]" if r["installed"] else "[yellow]no[/]",
            plain(r["verified_by"] or "unverified"),
            plain(r["description"]),
        )
    _out.print(table)
    where = ", ".join(str(p) for p in user_preset_paths())
    _out.print(
        f"install one with: autoexp agents install NAME; run it with: autoexp run --agent NAME "
        f"--model MODEL [--base-url URL]\nyour own presets (YAML): {plain(where)}",
        highlight=False,
    )


@agents_app.command("install")
def agents_install(
    names: Annotated[list[str], typer.Argument(help="Preset names (autoexp agents list).")],
    force: Annotated[bool, typer.Option("--force", help="Reinstall even if installed.")] = False,
) -> None:
    """Install presets' tools into cached environments (pinned versions, outside any
    workspace; the sandbox mounts them read-only)."""
    from autoexp.agents._install import install
    from autoexp.agents._presets import find_preset, presets

    try:
        chosen = []
        for name in names:
            preset = find_preset(name)
            if preset is None:
                known = ", ".join(sorted(presets())) or "none"
                raise AutoexpError(f"unknown preset {name!r}; presets: {known}")
            chosen.append(preset)
        for preset in chosen:
            _out.print(
                f"installing {plain(preset.name)} {plain(preset.version)} ...", highlight=False
            )
            install(preset, force=force, log=lambda m: _out.print(plain(m), highlight=False))
    except AutoexpError as e:
        raise _fail(e) from None
