"""write_report: report/index.html (one self-contained file) and report/summary.md."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from autoexp.report import _format as fmt
from autoexp.report._attempts import (
    TABLE_COLUMNS,
    TEXT_CHARS,
    AttemptView,
    anchor,
    attempt_view,
    clip,
    pick_details,
    status_class,
    table_rows,
)
from autoexp.report._models import Summary, SummaryRow
from autoexp.report._plots import Plot, all_plots, series_key, series_labels
from autoexp.report._summary import open_store, run_label, summary

DETAILS_PER_BUCKET = 20
"""Detail sections per (run, agent, model, setting, status) when a run is too big for all."""
DETAILS_TOTAL = 400
"""Detail sections at most in one report (every attempt gets one below this)."""
REPORT_DIR = "report"
"""Where the report goes inside the primary run directory."""


@dataclass
class _Series:
    key: tuple
    label: str
    total: SummaryRow
    by_n: dict[int, SummaryRow]


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("autoexp.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        pct=fmt.pct,
        prob=fmt.prob,
        money=fmt.money,
        count=fmt.count,
        secs=fmt.secs,
        rate_ci=fmt.rate_ci,
        pass_k=fmt.pass_k,
        n_label=fmt.n_label,
        status_class=status_class,
        md=_md_cell,
        heat=_heat_style,
        num=_num,
    )
    return env


def _num(x: float | None) -> str:
    """A metric value: compact but exact enough to compare with the expected one."""
    return fmt.DASH if x is None else f"{x:.6g}"


def _md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _heat_style(rate: float | None) -> str:
    """Inline background colour for a solved rate (red 0 -> green 1)."""
    if rate is None:
        return ""
    return f"background: hsl({round(120 * rate)}, 60%, 82%)"


def script_json(data: Any) -> Markup:
    """JSON that is safe inside a <script> element (no '<', '>' or '&' left to close it)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _labels(run_dirs: Sequence[Path]) -> list[str]:
    labels: list[str] = []
    for d in run_dirs:
        base = run_label(d)
        label, i = base, 2
        while label in labels:
            label, i = f"{base} ({i})", i + 1
        labels.append(label)
    return labels


def _series(summaries: Sequence[Summary]) -> list[_Series]:
    totals = [t for s in summaries for t in s.totals]
    labels = series_labels([series_key(t) for t in totals])
    out = []
    for s in summaries:
        for t in s.totals:
            key = series_key(t)
            by_n = {r.n: r for r in s.rows if series_key(r) == key and r.n is not None}
            out.append(_Series(key, labels[key], t, by_n))
    return out


def _function_grid(summaries: Sequence[Summary]) -> tuple[list[tuple], list[str], dict]:
    stats = [f for s in summaries for f in s.functions]
    cols = list(dict.fromkeys((f.run, f.agent, f.model, f.setting) for f in stats))
    labels = series_labels(cols)
    rows = sorted({(f.task, f.function) for f in stats})
    cells = {(f.task, f.function, (f.run, f.agent, f.model, f.setting)): f for f in stats}
    return rows, [labels[c] for c in cols], {"cols": cols, "cells": cells}


def _read_run_json(run_dir: Path) -> str:
    path = run_dir / "run.json"
    if not path.is_file():
        return ""
    try:
        return clip(json.dumps(json.loads(path.read_text(encoding="utf-8")), indent=1), TEXT_CHARS)
    except (OSError, ValueError) as exc:
        return f"run.json is unreadable: {exc}"


def _write(path: Path, data: str | bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(data, bytes):
        tmp.write_bytes(data)
    else:
        tmp.write_text(data, encoding="utf-8")
    os.replace(tmp, path)


def write_report(
    run_dir: str | Path,
    compare: Sequence[str | Path] = (),
    *,
    details_per_bucket: int = DETAILS_PER_BUCKET,
    details_total: int = DETAILS_TOTAL,
) -> Path:
    """Write `<run_dir>/report/index.html`, `summary.md` and the plots as PNG; return index.html.

    `compare`: other run directories shown side by side (rows labelled by run). The HTML is
    one self-contained file (inline CSS, JS and images; nothing fetched). Every attempt is in
    the attempts table; detail sections (trajectory, experiments, body diffs) are written for
    every attempt up to `details_total`, beyond that for the first `details_per_bucket` of each
    (run, agent, model, setting, status).
    """
    primary = Path(run_dir)
    run_dirs = [primary, *(Path(c) for c in compare)]
    labels = _labels(run_dirs)
    summaries = [summary(d, label=lab) for d, lab in zip(run_dirs, labels, strict=True)]
    rows: list[list[Any]] = []
    details: list[AttemptView] = []
    stores = [open_store(d) for d in run_dirs]
    try:
        run_rows = [table_rows(store, lab) for store, lab in zip(stores, labels, strict=True)]
        caveats = [c for store in stores for c in grade_caveats(store.rows(_CAVEAT_SOURCE))]
        for r in run_rows:
            rows.extend(r)
        per_run_total = max(1, details_total // len(run_dirs))
        for i, (store, d, lab, rr) in enumerate(
            zip(stores, run_dirs, labels, run_rows, strict=True)
        ):
            for idx in pick_details(rr, details_per_bucket, per_run_total):
                record = store.get(rr[idx][1])
                if record is None:
                    continue
                rr[idx][-1] = anchor(i, record.attempt_id)
                details.append(attempt_view(d, lab, i, record))
    finally:
        for store in stores:
            store.close()
    plots = all_plots(summaries)
    out_dir = primary / REPORT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    for p in plots:
        stale = out_dir / f"{p.name}.png"
        if p.png is not None:
            _write(stale, p.png)
        elif stale.exists():
            stale.unlink()
    note = ""
    if len(details) < len(rows):
        note = (
            f"Detail sections are included for {len(details):,} of {len(rows):,} attempts (the "
            f"first {details_per_bucket} of each run, agent, setting and status). Every "
            "attempt's files are in attempts/<attempt-id>/ of its run directory."
        )
    context = _context(summaries, run_dirs, plots, rows, details, note)
    context["caveats"] = caveats
    env = _env()
    _write(out_dir / "summary.md", env.get_template("summary.md.j2").render(**context))
    html = env.get_template("index.html.j2").render(**context)
    index = out_dir / "index.html"
    _write(index, html)
    return index


_CAVEAT_SOURCE = ("status", "hidden_passed", "detail")
"""The store columns `grade_caveats` reads (no JSON column is decoded for it)."""


def grade_caveats(rows: Iterable[dict[str, Any]]) -> list[str]:
    """What the grades of a run's attempts could not check, one sentence per kind (from the
    store's rows): held-out checks missing, experiments graded on reported numbers."""
    graded = [r for r in rows if r["status"] in ("passed", "failed")]
    no_heldout = sum(r["hidden_passed"] == "unavailable" for r in graded)
    on_reported = sum("verified: unavailable" in r["detail"] for r in graded)
    out = []
    if no_heldout:
        out.append(
            f"heldout: unavailable for {no_heldout} of {len(graded)} graded attempts: their "
            "tasks have no hidden experiments or differential samples (imported tasks, until "
            "`autoexp tasks record`), so only the visible experiments checked them."
        )
    if on_reported:
        out.append(
            f"verified: unavailable for {on_reported} of {len(graded)} graded attempts: some "
            "of their experiments print free-form output whose metrics have no regex yet, so "
            "they were graded on the agent's reported numbers."
        )
    return out


def _context(
    summaries: Sequence[Summary],
    run_dirs: Sequence[Path],
    plots: Sequence[Plot],
    rows: list[list[Any]],
    details: list[AttemptView],
    details_note: str,
) -> dict[str, Any]:
    all_rows = [r for s in summaries for r in s.rows]
    reasons = sorted({k for r in all_rows for k in r.reasons})
    func_rows, func_labels, grid = _function_grid(summaries)
    ns = sorted({r.n for r in all_rows if r.n is not None})
    max_k = max((max(t.pass_at_k) for s in summaries for t in s.totals if t.pass_at_k), default=0)
    return {
        "title": "autoexp report: " + ", ".join(s.run for s in summaries),
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": [
            {"summary": s, "dir": str(d), "run_json": _read_run_json(d)}
            for s, d in zip(summaries, run_dirs, strict=True)
        ],
        "compare": len(summaries) > 1,
        "series": _series(summaries),
        "ns": ns,
        "max_k": max_k,
        "rows": all_rows,
        "reasons": reasons,
        "show_setting": len({r.setting for r in all_rows}) > 1,
        "show_model": any(r.model and not r.agent.endswith(f":{r.model}") for r in all_rows),
        "show_fc": any(r.functions_correct is not None for r in all_rows),
        "show_edited": any(r.edited_outside_mask for r in all_rows),
        "show_cost": any(r.cost_usd != 0 for r in all_rows),
        "plots": [
            {
                "name": p.name,
                "title": p.title,
                "note": p.note,
                "wide": p.name == "function_heatmap",
                "b64": base64.b64encode(p.png).decode("ascii") if p.png else None,
            }
            for p in plots
        ],
        "func_rows": func_rows,
        "func_labels": func_labels,
        "func_cols": grid["cols"],
        "func_cells": grid["cells"],
        "table_json": script_json({"columns": list(TABLE_COLUMNS), "rows": rows}),
        "n_attempts": len(rows),
        "details": details,
        "details_note": details_note,
    }
