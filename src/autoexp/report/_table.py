"""The summary as a rich table for the terminal (printed at the end of `autoexp run`)."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table

from autoexp.report import _format as fmt
from autoexp.report._models import Summary, SummaryRow, UsageSource

Column = tuple[str, Callable[[SummaryRow], str], bool]
"""(header, cell function, right-aligned)."""


def _model_differs(row: SummaryRow) -> bool:
    return row.model is not None and not row.agent.endswith(f":{row.model}")


def _count(style: str, attr: str) -> Callable[[SummaryRow], str]:
    def cell(r: SummaryRow) -> str:
        v = getattr(r, attr)
        return f"[{style}]{v}[/]" if v else "0"

    return cell


def _success(r: SummaryRow) -> str:
    if r.success_rate is None:
        return fmt.DASH
    lo, hi = 100 * (r.ci_low or 0), 100 * (r.ci_high or 0)
    return f"{100 * r.success_rate:.0f}% [{lo:.0f}–{hi:.0f}]"


def _cost(r: SummaryRow) -> str:
    cost = fmt.money(r.cost_per_success) if r.passed or r.cost_unknown else fmt.DASH
    return cost + " (self)" if r.usage_source == UsageSource.SELF_REPORTED else cost


def _pass_columns(rows: list[SummaryRow]) -> list[Column]:
    """pass@k and pass^k at the largest k; the k goes in the header when it is the same for all."""
    ks = {max(r.pass_at_k) for r in rows if r.pass_at_k}
    if not ks or max(ks) < 2:
        return []

    def value(attr: str, with_k: bool) -> Callable[[SummaryRow], str]:
        def cell(r: SummaryRow) -> str:
            values: dict[int, float] = getattr(r, attr)
            if not values:
                return fmt.DASH
            k = max(values)
            return f"{values[k]:.2f}" + (f" (k={k})" if with_k else "")

        return cell

    if len(ks) == 1:
        k = ks.pop()
        return [
            (f"pass@{k}", value("pass_at_k", False), True),
            (f"pass^{k}", value("pass_hat_k", False), True),
        ]
    return [("pass@k", value("pass_at_k", True), True), ("pass^k", value("pass_hat_k", True), True)]


_DROP_ORDER = (
    "fn ok",
    "fab.",
    "pass^",
    "$/success",
    "grader",
    "infra",
    "pass@",
    "model",
    "setting",
)
"""Headers (prefixes) of the columns given up first when the terminal is too narrow."""


class SummaryTable(Table):
    """A rich Table that leaves out its least important columns when the console is narrow."""

    def __init__(self, columns: list[Column], rows: list[SummaryRow], title: str) -> None:
        super().__init__(
            title=title,
            title_justify="left",
            header_style="bold",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            collapse_padding=True,
        )
        self._columns = columns
        self._rows = rows
        for name, _, right in columns:
            if right:
                self.add_column(name, justify="right", no_wrap=True)
            else:
                self.add_column(name, overflow="fold")
        for r in rows:
            self.add_row(*(cell(r) for _, cell, _ in columns))
        if not rows:
            self.caption = "No attempt in the store yet."
        else:
            self.caption = "Rates count passed + failed; infra and grader errors are not failures."

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table: Table = self
        columns = list(self._columns)
        for prefix in _DROP_ORDER:
            if table.__rich_measure__(console, options).maximum <= options.max_width:
                break
            columns = [c for c in columns if not c[0].startswith(prefix)]
            table = SummaryTable(columns, self._rows, str(self.title))
        yield from Table.__rich_console__(table, console, options)


def render_summary_table(summary: Summary | list[Summary]) -> Table:
    """One line per (run, agent, model, setting, n): passed / failed (/ infra / grader) counts,
    success with its Wilson 95 % interval, pass@k and pass^k at the largest k, dollars per
    success and fabrications.

    Columns that would only hold zeros or dashes (infra and grader errors, pass@k with one
    trial, cost when every attempt cost $0, fabrications) are left out, and on a narrow
    terminal the least important ones are dropped when printed.
    """
    summaries = summary if isinstance(summary, list) else [summary]
    rows = [r for s in summaries for r in s.rows]
    columns: list[Column] = []
    if len(summaries) > 1:
        columns.append(("run", lambda r: escape(r.run), False))
    columns.append(("agent", lambda r: escape(r.agent), False))
    if any(_model_differs(r) for r in rows):
        columns.append(("model", lambda r: escape(r.model or fmt.DASH), False))
    if len({r.setting for r in rows}) > 1:
        columns.append(("setting", lambda r: escape(r.setting), False))
    columns += [
        ("n", lambda r: fmt.n_label(r.n), True),
        ("pass", _count("green", "passed"), True),
        ("fail", _count("red", "failed"), True),
    ]
    if any(r.infra_error for r in rows):
        columns.append(("infra", _count("yellow", "infra_error"), True))
    if any(r.grader_error for r in rows):
        columns.append(("grader", _count("magenta", "grader_error"), True))
    columns.append(("success [95% CI]", _success, True))
    columns += _pass_columns(rows)
    if any(r.cost_usd != 0 for r in rows):
        columns.append(("$/success", _cost, True))
    if any(r.fabricated for r in rows):
        columns.append(("fab.", _count("bold red", "fabricated"), True))
    if any(r.functions_correct is not None for r in rows):
        columns.append(("fn ok", lambda r: fmt.pct(r.functions_correct), True))
    for name, field in (("overfit", "overfit"), ("suspect", "suspect"), ("integr.", "integrity")):
        if any(getattr(r, field) for r in rows):
            columns.append((name, _count("bold red", field), True))
    title = "autoexp summary: " + ", ".join(escape(s.run) for s in summaries)
    return SummaryTable(columns, rows, title)


def table_text(table: Table, width: int = 120) -> str:
    """A rich table as plain text (no colour codes)."""
    console = Console(file=io.StringIO(), width=width, color_system=None, record=True, emoji=False)
    console.print(table)
    return console.export_text()
