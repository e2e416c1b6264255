"""What the `autoexp report` and `autoexp summary` commands call (the CLI stays thin)."""

from __future__ import annotations

import webbrowser
from collections.abc import Sequence
from pathlib import Path

from autoexp.report._html import write_report
from autoexp.report._summary import summary
from autoexp.report._table import render_summary_table, table_text


def cli_report(
    run_dir: str | Path, compare: Sequence[str | Path] = (), open_browser: bool = False
) -> Path:
    """Write the run's report (see write_report), optionally open it; return index.html."""
    index = write_report(run_dir, compare)
    if open_browser:
        webbrowser.open(index.resolve().as_uri())
    return index


def cli_summary(run_dir: str | Path, as_json: bool = False) -> str:
    """The run's summary as JSON (`--json`: the Summary model) or as a plain-text table."""
    s = summary(run_dir)
    if as_json:
        return s.model_dump_json(indent=2)
    return table_text(render_summary_table(s))
