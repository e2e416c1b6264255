"""How numbers read in tables (terminal, Markdown, HTML): one place, so they all agree."""

from __future__ import annotations

from autoexp.report._models import SummaryRow

DASH = "—"
"""Shown where a value does not apply (e.g. a rate with nothing graded)."""
UNKNOWN = "unknown"
"""Shown for costs without a price."""


def pct(x: float | None, digits: int = 1) -> str:
    """0.6667 -> '66.7%'; None -> '—'."""
    return DASH if x is None else f"{100 * x:.{digits}f}%"


def prob(x: float | None) -> str:
    """0.6667 -> '0.667'; None -> '—'."""
    return DASH if x is None else f"{x:.3f}"


def money(x: float | None) -> str:
    """Dollars: 12.3 -> '$12.30', 0.01234 -> '$0.0123'; None -> 'unknown'."""
    if x is None:
        return UNKNOWN
    if x == 0:
        return "$0"
    if abs(x) >= 1:
        return f"${x:,.2f}"
    return f"${x:.3g}"


def count(x: float | None) -> str:
    """Thousands separators, no decimals; None -> '—'."""
    return DASH if x is None else f"{x:,.0f}"


def secs(x: float | None) -> str:
    """Seconds: 3.21 -> '3.2 s', 4000 -> '1.1 h'; None -> '—'."""
    if x is None:
        return DASH
    if x >= 3600:
        return f"{x / 3600:.1f} h"
    if x >= 120:
        return f"{x / 60:.1f} min"
    return f"{x:.1f} s"


def rate_ci(row: SummaryRow) -> str:
    """'60.0% [23.1–88.2]' or '—' when nothing was graded."""
    if row.success_rate is None:
        return DASH
    return f"{pct(row.success_rate)} [{100 * (row.ci_low or 0):.1f}–{100 * (row.ci_high or 0):.1f}]"


def pass_k(values: dict[int, float], *, ks: tuple[int, ...] | None = None) -> str:
    """'k=1 0.60 · k=3 0.85' (first and last k by default); '—' when empty."""
    if not values:
        return DASH
    keys = sorted(values)
    show = ks or tuple(dict.fromkeys((keys[0], keys[-1])))
    return " · ".join(f"k={k} {values[k]:.2f}" for k in show if k in values)


def n_label(n: int | None) -> str:
    """'all' for pooled rows."""
    return "all" if n is None else str(n)
