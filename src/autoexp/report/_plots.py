"""The report's plots, drawn with matplotlib's Agg canvas (no pyplot, no global state).

matplotlib is imported when a plot is drawn, so that `autoexp summary` does not pay for it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autoexp.report._models import Summary, SummaryRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_HEATMAP_FUNCTIONS = 60
"""Functions shown in the heatmap at most (the hardest ones when there are more)."""

_DPI = 110


@dataclass(frozen=True)
class Plot:
    """One figure of the report: a PNG, or a note saying why there is none."""

    name: str
    """File stem, e.g. `success_vs_n`."""
    title: str
    """Caption."""
    png: bytes | None
    """The image (None: nothing to plot)."""
    note: str = ""
    """What the reader should know (skipped series, caps)."""


SeriesKey = tuple[str, str, str | None, str]
"""(run, agent, model, setting)."""


def series_key(row: SummaryRow) -> SeriesKey:
    """The series a row belongs to in plots: one line per run, agent, model and setting."""
    return (row.run, row.agent, row.model, row.setting)


def series_labels(keys: Sequence[SeriesKey]) -> dict[SeriesKey, str]:
    """Short labels: the agent, plus the setting / run only when they vary."""
    runs = {k[0] for k in keys}
    settings = {k[3] for k in keys}
    out = {}
    for k in keys:
        label = k[1]
        if len(settings) > 1:
            label += f" [{k[3]}]"
        if len(runs) > 1:
            label = f"{k[0]}: {label}"
        out[k] = label
    return out


REFERENCE_AGENTS = frozenset({"oracle", "noop"})
"""Self-test agents: left out of the cost plot (the oracle's $0 and 100 % says nothing)."""


def series_colors(summaries: Sequence[Summary]) -> dict[SeriesKey, str]:
    """One colour per series, the same in every plot."""
    keys = list(dict.fromkeys(series_key(t) for s in summaries for t in s.totals))
    return {k: f"C{i % 10}" for i, k in enumerate(keys)}


def _legend(ax: Any) -> None:
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def _new_figure(**kwargs: Any) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI)
    return buf.getvalue()


def _figure(width: float = 8.0, height: float = 4.0) -> tuple[Figure, Any]:
    fig = _new_figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.grid(True, alpha=0.3)
    return fig, ax


def success_vs_n(summaries: Sequence[Summary]) -> Plot:
    """Success rate against n, one line per series, with Wilson 95 % error bars."""
    rows = [r for s in summaries for r in s.rows if r.success_rate is not None]
    name, title = "success_vs_n", "Success rate vs n (Wilson 95 % intervals)"
    if not rows:
        return Plot(name, title, None, "No graded attempt yet: nothing to plot.")
    keys = list(dict.fromkeys(series_key(r) for r in rows))
    labels = series_labels(keys)
    colors = series_colors(summaries)
    fig, ax = _figure()
    width = 0.25 / max(1, len(keys) - 1) if len(keys) > 1 else 0.0
    for i, key in enumerate(keys):
        pts = sorted((r for r in rows if series_key(r) == key), key=lambda r: r.n or 0)
        xs = [(r.n or 0) + (i - (len(keys) - 1) / 2) * width for r in pts]
        ys = [r.success_rate or 0.0 for r in pts]
        err = [
            [y - (r.ci_low or 0.0) for y, r in zip(ys, pts, strict=True)],
            [(r.ci_high or 0.0) - y for y, r in zip(ys, pts, strict=True)],
        ]
        ax.errorbar(
            xs, ys, yerr=err, marker="o", capsize=3, color=colors.get(key), label=labels[key]
        )
    ns = sorted({r.n or 0 for r in rows})
    ax.set_xticks(ns)
    ax.set_xlabel("n (masked functions)")
    ax.set_ylabel("success rate")
    ax.set_ylim(-0.03, 1.03)
    _legend(ax)
    return Plot(name, title, _png(fig))


def pass_at_k_vs_k(summaries: Sequence[Summary]) -> Plot:
    """pass@k (solid) and pass^k (dashed) against k, every n pooled, one colour per series."""
    rows = [r for s in summaries for r in s.totals if r.pass_at_k]
    name, title = "pass_at_k", "pass@k (solid) and pass^k (dashed) vs k, all n pooled"
    if not rows:
        return Plot(name, title, None, "No (task, combo) group has a graded trial.")
    top = max(max(r.pass_at_k) for r in rows)
    if top == 1:
        return Plot(
            name,
            title,
            None,
            "Every (task, combo) has one graded trial: pass@1 is the only k (see the tables). "
            "Run with --trials k to estimate pass@k and pass^k for k > 1.",
        )
    labels = series_labels([series_key(r) for r in rows])
    colors = series_colors(summaries)
    fig, ax = _figure()
    for r in rows:
        color = colors.get(series_key(r))
        ks = sorted(r.pass_at_k)
        ax.plot(
            ks,
            [r.pass_at_k[k] for k in ks],
            marker="o",
            color=color,
            label=labels[series_key(r)],
        )
        ax.plot(ks, [r.pass_hat_k[k] for k in ks], marker=".", ls="--", color=color)
    ax.set_xticks(range(1, top + 1))
    ax.set_xlabel("k (trials)")
    ax.set_ylabel("probability")
    ax.set_ylim(-0.03, 1.03)
    _legend(ax)
    short = [labels[series_key(r)] for r in rows if max(r.pass_at_k) < top]
    note = ""
    if short:
        note = (
            "Stopping before k=" + str(top) + ": " + ", ".join(short) + ". A series ends at the "
            "fewest graded trials of any of its (task, combo) groups; infra and grader errors "
            "do not count as trials."
        )
    return Plot(name, title, _png(fig), note)


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats (cost no higher and success no lower, one of
    them strictly), sorted by cost."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    front: list[int] = []
    best = -math.inf
    for i in order:
        if points[i][1] > best:
            front.append(i)
            best = points[i][1]
    return front


def success_vs_cost(summaries: Sequence[Summary]) -> Plot:
    """Success rate against dollars per attempt (all n pooled), with the Pareto front."""
    name, title = "success_vs_cost", "Success rate vs cost per attempt (Pareto front)"
    graded = [r for s in summaries for r in s.totals if r.success_rate is not None]
    rows = [r for r in graded if r.agent_name not in REFERENCE_AGENTS]
    known = [r for r in rows if r.cost_per_attempt is not None]
    unknown = [r for r in rows if r.cost_per_attempt is None]
    labels = series_labels([series_key(r) for r in graded])
    notes = []
    if len(rows) < len(graded):
        notes.append("The oracle and noop reference agents are left out.")
    if unknown:
        notes.append(
            "Cost unknown (no price for the model), not plotted: "
            + ", ".join(labels[series_key(r)] for r in unknown)
            + "."
        )
    note = " ".join(notes)
    if not known:
        return Plot(name, title, None, note or "No graded attempt yet: nothing to plot.")
    pts = [(r.cost_per_attempt or 0.0, r.success_rate or 0.0) for r in known]
    colors = series_colors(summaries)
    fig, ax = _figure()
    for r, (x, y) in zip(known, pts, strict=True):
        key = series_key(r)
        ax.scatter([x], [y], color=colors.get(key), s=40, zorder=3, label=labels[key])
    front = pareto_front(pts)
    ax.plot(
        [pts[i][0] for i in front],
        [pts[i][1] for i in front],
        ls=":",
        marker="o",
        ms=13,
        mfc="none",
        color="0.35",
        drawstyle="steps-post",
        label="Pareto front",
    )
    ax.set_xlim(0, max(x for x, _ in pts) * 1.15 or 1.0)
    ax.set_xlabel("dollars per graded attempt")
    ax.set_ylabel("success rate")
    ax.set_ylim(-0.03, 1.03)
    _legend(ax)
    return Plot(name, title, _png(fig), note)


def _heatmap_figure(n_rows: int, n_cols: int) -> tuple[Figure, Any, Any]:
    """Figure, heatmap axes and colourbar axes, placed by `_place_heatmap` (a layout engine
    would measure every cell label twice: most of the plot's time on a big grid)."""
    fig = _new_figure(figsize=(max(5.0, 4.0 + 0.8 * n_cols), max(2.5, 1.6 + 0.3 * n_rows)))
    return fig, fig.add_axes((0.0, 0.0, 1.0, 1.0)), fig.add_axes((0.0, 0.0, 0.1, 1.0))


def _place_heatmap(fig: Figure, ax: Any, cax: Any) -> None:
    """Leave room for the tick labels (measured once) and the colourbar, as margins in pixels."""
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    pad = 8.0
    left = max((t.get_window_extent(renderer).width for t in ax.get_yticklabels()), default=0)
    top = max((t.get_window_extent(renderer).height for t in ax.get_xticklabels()), default=0)
    over = max((t.get_window_extent(renderer).width for t in ax.get_xticklabels()), default=0)
    bar = cax.get_tightbbox(renderer).width + 0.02 * width
    x0, x1 = (left + 2 * pad) / width, 1 - (max(bar, over * 0.5) + 2 * pad) / width
    y0, y1 = pad / height, 1 - (top + 2 * pad) / height
    ax.set_position((x0, y0, max(0.05, x1 - x0), max(0.05, y1 - y0)))
    cax.set_position((x1 + 0.02, y0 + 0.1 * (y1 - y0), 0.02, 0.8 * (y1 - y0)))


def function_heatmap(summaries: Sequence[Summary]) -> Plot:
    """Solved rate of each masked function (rows) by each series (columns)."""
    name, title = "function_heatmap", "Per-function solved rate (attempts where it was masked)"
    stats = [f for s in summaries for f in s.functions if f.masked > 0]
    if not stats:
        return Plot(name, title, None, "No graded attempt with masked functions yet.")
    cols = list(dict.fromkeys((f.run, f.agent, f.model, f.setting) for f in stats))
    labels = series_labels(cols)
    funcs = sorted({(f.task, f.function) for f in stats})
    note = ""
    if len(funcs) > MAX_HEATMAP_FUNCTIONS:
        solved: dict[tuple[str, str], list[int]] = {}
        for f in stats:
            acc = solved.setdefault((f.task, f.function), [0, 0])
            acc[0] += f.solved
            acc[1] += f.masked
        funcs = sorted(
            sorted(funcs, key=lambda t: solved[t][0] / solved[t][1])[:MAX_HEATMAP_FUNCTIONS]
        )
        note = (
            f"Showing the {MAX_HEATMAP_FUNCTIONS} hardest of {len(solved)} functions; "
            "the table below lists them all."
        )
    fi = {f: i for i, f in enumerate(funcs)}
    ci = {c: i for i, c in enumerate(cols)}
    grid = [[math.nan] * len(cols) for _ in funcs]
    for f in stats:
        row = fi.get((f.task, f.function))
        if row is not None and f.solved_rate is not None:
            grid[row][ci[(f.run, f.agent, f.model, f.setting)]] = f.solved_rate
    fig, ax, cax = _heatmap_figure(len(funcs), len(cols))
    im = ax.imshow(grid, vmin=0.0, vmax=1.0, cmap="RdYlGn", aspect="auto")
    ax.set_xticks(
        range(len(cols)), [labels[c] for c in cols], rotation=30, ha="left", fontsize="small"
    )
    ax.tick_params(axis="x", top=True, labeltop=True, bottom=False, labelbottom=False)
    ax.set_yticks(range(len(funcs)), [f"{t}: {f}" for t, f in funcs], fontsize="small")
    if len(funcs) * len(cols) <= 600:
        for r, line in enumerate(grid):
            for c, v in enumerate(line):
                if not math.isnan(v):
                    ax.text(c, r, f"{v:.0%}", ha="center", va="center", fontsize="x-small")
    fig.colorbar(im, cax=cax, label="solved rate")
    _place_heatmap(fig, ax, cax)
    return Plot(name, title, _png(fig), note)


def all_plots(summaries: Sequence[Summary]) -> list[Plot]:
    """Every plot of the report, in display order."""
    return [
        success_vs_n(summaries),
        pass_at_k_vs_k(summaries),
        success_vs_cost(summaries),
        function_heatmap(summaries),
    ]
