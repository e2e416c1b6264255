"""The summary as a rich table for the terminal (printed at the end of `autoexp run`)."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from autoexp.report import _format as fmt
from autoexp.report._models import Summary, SummaryRow


def _model_differs(row: SummaryRow) -> bool:
    return row.model is not None and not row.agent.endswith(f":{row.model}")


def _count(style: str, attr: str) -> Callable[[SummaryRow], str]:
    def cell(r: SummaryRow) -> str:
        v = getattr(r, attr)
        return f"[{style}]{v}[/]" if v else "0"

    return cell


def _largest_k(values: dict[int, float]) -> str:
    if not values:
        return fmt.DASH
    k = max(values)
    return f"{values[k]:.2f} k={k}"


def _success(r: SummaryRow) -> str:
    if r.success_rate is None:
        return fmt.DASH
    return f"{fmt.pct(r.success_rate)} [{100 * (r.ci_low or 0):.0f}–{100 * (r.ci_high or 0):.0f}]"


def _cost(r: SummaryRow) -> str:
    return fmt.money(r.cost_per_success) if r.passed or r.cost_unknown else fmt.DASH


def render_summary_table(summary: Summary | list[Summary]) -> Table:
    """One line per (run, agent, model, setting, n): counts, success with its 95 % interval,
    pass@k / pass^k at the largest k, cost per success and fabrications.

    Columns that would only hold zeros or dashes (infra errors, grader errors, pass@k with one
    trial, cost for agents without a model, fabrications) are left out to fit a terminal.
    """
    summaries = summary if isinstance(summary, list) else [summary]
    rows = [r for s in summaries for r in s.rows]
    columns: list[tuple[str, Callable[[SummaryRow], str], bool]] = []
    if len(summaries) > 1:
        columns.append(("run", lambda r: escape(r.run), False))
    columns.append(("agent", lambda r: escape(r.agent), False))
    if any(_model_differs(r) for r in rows):
        columns.append(("model", lambda r: escape(r.model or fmt.DASH), False))
    if len({r.setting for r in rows}) > 1:
        columns.append(("setting", lambda r: escape(r.setting), False))
    columns += [
        ("n", lambda r: fmt.n_label(r.n), True),
        ("att.", lambda r: str(r.attempts), True),
        ("pass", _count("green", "passed"), True),
        ("fail", _count("red", "failed"), True),
    ]
    if any(r.infra_error for r in rows):
        columns.append(("infra", _count("yellow", "infra_error"), True))
    if any(r.grader_error for r in rows):
        columns.append(("grader", _count("magenta", "grader_error"), True))
    columns.append(("success [95% CI]", _success, True))
    if any(r.trials > 1 for r in rows):
        columns.append(("pass@k", lambda r: _largest_k(r.pass_at_k), True))
        columns.append(("pass^k", lambda r: _largest_k(r.pass_hat_k), True))
    if any(r.cost_usd != 0 for r in rows):
        columns.append(("$/success", _cost, True))
    if any(r.fabricated for r in rows):
        columns.append(("fab.", _count("bold red", "fabricated"), True))

    cells = [[cell(r) for _, cell, _ in columns] for r in rows]
    title = "autoexp summary: " + ", ".join(escape(s.run) for s in summaries)
    table = Table(
        title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False
    )
    for i, (name, _, right) in enumerate(columns):
        width = max([len(name)] + [Text.from_markup(c[i]).cell_len for c in cells])
        if right:
            table.add_column(name, justify="right", no_wrap=True, width=width)
        else:
            table.add_column(name, overflow="fold", min_width=min(width, 14))
    for line in cells:
        table.add_row(*line)
    if not rows:
        table.caption = "No attempt in the store yet."
    else:
        table.caption = "Rates count passed + failed; infra and grader errors are not failures."
    return table


def table_text(table: Table, width: int = 120) -> str:
    """A rich table as plain text (no colour codes)."""
    console = Console(file=io.StringIO(), width=width, color_system=None, record=True)
    console.print(table)
    return console.export_text()
